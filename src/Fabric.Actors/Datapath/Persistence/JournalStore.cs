using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fabric.Actors.Datapath.Persistence;

/// <summary>
/// The Akka.Persistence.Sql configuration of the datapath actor's journal and snapshot store (akka-notes §1):
/// the default table mapping (<c>journal</c>, <c>tags</c>, <c>snapshot</c>), tables created on first start, both
/// plugins started with the actor system so a broken store shows up at once, and the checks a node runs before it
/// starts the actor system so that an unreachable store fails the start with one clear line.
/// </summary>
public static class JournalStore
{
    /// <summary>linq2db provider name for Microsoft.Data.Sqlite.</summary>
    public const string SqliteProvider = "SQLite.MS";

    /// <summary>linq2db provider name for PostgreSQL 15 and later (Debian 12 ships 15).</summary>
    public const string PostgresProvider = "PostgreSQL.15";

    /// <summary>
    /// Configuration for a SQLite file at <paramref name="path"/>: one writer transaction at a time
    /// (<c>parallelism = 1</c>, SQLite has a single writer even in WAL mode). Both stores send the event payloads of a
    /// multi-row insert as parameters (<c>prefer-parameters-on-multirow-insert</c>): linq2db's default inlines them
    /// as literals, which for batches of thousands of flows per event costs the journal most of its throughput.
    /// </summary>
    public static Akka.Configuration.Config Sqlite(string path) =>
        Build($"Data Source={path};Default Timeout=5;Pooling=True", SqliteProvider, parallelism: 1);

    /// <summary>Configuration for a PostgreSQL database named by an Npgsql <paramref name="connectionString"/>.</summary>
    public static Akka.Configuration.Config PostgreSql(string connectionString) =>
        Build(connectionString, PostgresProvider, parallelism: 2);

    /// <summary>
    /// Loads and initializes the native SQLite library (an in-memory database is opened and closed), so a caller can do
    /// it on another core while it is busy with something else; idempotent, never throws.
    /// </summary>
    public static void WarmUpSqlite()
    {
        try
        {
            using var connection = new SqliteConnection("Data Source=:memory:");
            connection.Open();
        }
        catch (SqliteException)
        {
            // The real open reports the problem with its path.
        }
    }

    /// <summary>
    /// Creates the SQLite file's directory and switches the file to write-ahead logging (a property of the file,
    /// which the plugin has no setting for), so readers never block the journal writer.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or the file cannot be opened, with the path and the reason.</exception>
    public static void PrepareSqlite(string path)
    {
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            using var connection = new SqliteConnection($"Data Source={path}");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is SqliteException or UnauthorizedAccessException or IOException)
        {
            throw new IOException($"journal {Describe(path)}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>Opens one connection to the PostgreSQL server and runs <c>SELECT 1</c>, within <paramref name="timeout"/>.</summary>
    /// <exception cref="IOException">The server cannot be reached or refuses the login, with the host and the reason.</exception>
    public static async Task CheckPostgreSqlAsync(string connectionString, TimeSpan timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = Math.Max(1, (int)timeout.TotalSeconds) };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new IOException($"journal {DescribePostgreSql(connectionString)}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>How persistence/show names a SQLite journal: <c>sqlite:PATH</c>.</summary>
    public static string Describe(string sqlitePath) => "sqlite:" + Path.GetFullPath(sqlitePath);

    /// <summary>How persistence/show names a PostgreSQL journal: <c>postgresql://USER@HOST:PORT/DATABASE</c> (never the password).</summary>
    public static string DescribePostgreSql(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static Akka.Configuration.Config Build(string connectionString, string provider, int parallelism)
    {
        var cs = Quote(connectionString);
        var sb = new StringBuilder();
        sb.Append("akka.persistence {\n");
        sb.Append("  journal {\n");
        sb.Append("    plugin = \"akka.persistence.journal.sql\"\n");
        sb.Append("    auto-start-journals = [\"akka.persistence.journal.sql\"]\n");
        sb.Append("    sql {\n");
        sb.Append("      class = \"Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql\"\n");
        sb.Append("      connection-string = ").Append(cs).Append('\n');
        sb.Append("      provider-name = \"").Append(provider).Append("\"\n");
        sb.Append("      table-mapping = default\n");
        sb.Append("      auto-initialize = on\n");
        sb.Append("      parallelism = ").Append(parallelism).Append('\n');
        sb.Append("      prefer-parameters-on-multirow-insert = on\n");
        sb.Append("    }\n");
        sb.Append("  }\n");
        sb.Append("  snapshot-store {\n");
        sb.Append("    plugin = \"akka.persistence.snapshot-store.sql\"\n");
        sb.Append("    auto-start-snapshot-stores = [\"akka.persistence.snapshot-store.sql\"]\n");
        sb.Append("    sql {\n");
        sb.Append("      class = \"Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql\"\n");
        sb.Append("      connection-string = ").Append(cs).Append('\n');
        sb.Append("      provider-name = \"").Append(provider).Append("\"\n");
        sb.Append("      table-mapping = default\n");
        sb.Append("      auto-initialize = on\n");
        sb.Append("    }\n");
        sb.Append("  }\n");
        sb.Append("}\n");
        return Akka.Configuration.ConfigurationFactory.ParseString(sb.ToString());
    }

    /// <summary>A HOCON quoted string holding <paramref name="value"/>: a JSON string, which HOCON reads as written.</summary>
    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
