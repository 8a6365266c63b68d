using System.Globalization;
using Fabric.Kernel.Configuration;
using Fabric.Kernel.Persistence.Journal;
using Fabric.Kernel.Persistence.Snapshot;
using Fabric.Persistence.Sql.Postgres;
using Fabric.Persistence.Sql.Schema;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Persistence.Sql;

/// <summary>
/// Builds the journal and snapshot store named by the <c>fabric.persistence</c> section:
/// <code>
/// fabric.persistence {
///   plugin = sqlite                     # sqlite | postgresql
///   sqlite.path = "/var/lib/fabric/fabric.db"   # default: ${fabric.state-dir}/fabric.db
///   postgresql.connection-string = "Host=127.0.0.1;Port=5432;Username=postgres;Database=fabric"
///   table-prefix = ""
/// }
/// </code>
/// The stores open lazily (their first operation connects and creates the tables); call their <c>InitializeAsync</c> to
/// fail fast at start-up.
/// </summary>
public static class SqlPersistenceFactory
{
    /// <summary>The configuration section read by <see cref="Create"/>.</summary>
    public const string Section = "fabric.persistence";

    /// <summary>The PostgreSQL connection string used when none is configured.</summary>
    public const string DefaultPostgresConnectionString = "Host=127.0.0.1;Port=5432;Username=postgres;Database=fabric";

    /// <summary>The state directory used when neither <c>fabric.persistence.sqlite.path</c> nor <c>fabric.state-dir</c> is set.</summary>
    public const string DefaultStateDir = "/var/lib/fabric";

    /// <summary>
    /// Loads and initializes the native SQLite library (an in-memory database is opened and closed), so that a
    /// caller can do it on another thread while it is busy with something else; idempotent, never throws.
    /// </summary>
    public static void WarmUp()
    {
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
            connection.Open();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // The real open reports the problem with its path.
        }
    }

    /// <summary>Creates the journal and snapshot store configured in <paramref name="config"/> (the whole configuration).</summary>
    /// <param name="config">Root configuration holding <c>fabric.persistence</c> (and <c>fabric.state-dir</c>).</param>
    /// <returns>The journal and the snapshot store; the caller disposes both.</returns>
    /// <exception cref="ConfigurationException">A value is invalid; the message names its path (and file:line:column when known).</exception>
    public static (IJournal Journal, ISnapshotStore SnapshotStore) Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string prefix = config.GetString(Section + ".table-prefix", string.Empty);
        if (!TableNames.IsValidPrefix(prefix))
        {
            throw Invalid(config, "table-prefix", $"expected empty or a letter or '_' followed by up to 39 letters, digits or '_', got '{prefix}'");
        }

        string plugin = config.GetString(Section + ".plugin", "sqlite").Trim().ToLower(CultureInfo.InvariantCulture);
        switch (plugin)
        {
            case "sqlite":
            {
                string path = SqlitePath(config);
                return (new SqliteJournal(path, prefix), new SqliteSnapshotStore(path, prefix));
            }

            case "postgresql":
            {
                string connectionString = config.GetString(Section + ".postgresql.connection-string", DefaultPostgresConnectionString);
                try
                {
                    return (new PostgresJournal(connectionString, prefix), new PostgresSnapshotStore(connectionString, prefix));
                }
                catch (ArgumentException e)
                {
                    throw Invalid(config, "postgresql.connection-string", "invalid connection string: " + e.Message.ReplaceLineEndings(" "));
                }
            }

            default:
                throw Invalid(config, "plugin", $"expected 'sqlite' or 'postgresql', got '{plugin}'");
        }
    }

    private static string SqlitePath(Config config)
    {
        string path = config.HasPath(Section + ".sqlite.path")
            ? config.GetString(Section + ".sqlite.path")
            : Path.Combine(config.GetString("fabric.state-dir", DefaultStateDir), "fabric.db");
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || path.EndsWith('/'))
        {
            throw Invalid(config, "sqlite.path", $"expected a database file path, got '{path}'");
        }

        return path;
    }

    private static ConfigurationException Invalid(Config config, string key, string detail)
    {
        string path = Section + "." + key;
        return config.GetValue(path)?.Origin is { IsKnown: true } origin
            ? new ConfigurationException(origin.File, origin.Line, origin.Column, $"{path}: {detail}")
            : new ConfigurationException($"{path}: {detail}");
    }
}
