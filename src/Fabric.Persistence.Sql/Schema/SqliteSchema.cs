using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Schema;

/// <summary>
/// SQLite DDL for Akka.Persistence.Sql's <c>default</c> table mapping (actor-semantics §6) and the migration of tables written by
/// older schema versions: <c>auto-initialize</c> creates missing tables (CREATE TABLE IF NOT EXISTS), and columns that older
/// versions lacked (<c>tags</c>, <c>identifier</c>, <c>writer_uuid</c>, <c>serializer_id</c>) are added with ALTER TABLE.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Creates the journal and journal_metadata tables when missing and adds columns an older version lacked.</summary>
    /// <param name="connection">An open read-write connection.</param>
    /// <param name="tables">Table names.</param>
    /// <exception cref="SqliteException">The database cannot be written.</exception>
    public static void InitializeJournal(SqliteConnection connection, TableNames tables)
    {
        Execute(connection, $"""
            CREATE TABLE IF NOT EXISTS {tables.Journal} (
              ordering INTEGER PRIMARY KEY AUTOINCREMENT,
              deleted INTEGER NOT NULL DEFAULT 0,
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number INTEGER NOT NULL,
              created INTEGER NOT NULL,
              tags VARCHAR(100) NULL,
              message BLOB NOT NULL,
              identifier INTEGER NULL,
              manifest VARCHAR(500) NOT NULL DEFAULT '',
              writer_uuid VARCHAR(128) NULL,
              CONSTRAINT ux_{tables.Journal}_pid_seqno UNIQUE (persistence_id, sequence_number));
            CREATE TABLE IF NOT EXISTS {tables.Metadata} (
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number INTEGER NOT NULL,
              PRIMARY KEY (persistence_id, sequence_number));
            """);
        AddMissingColumns(connection, tables.Journal, [("tags", "VARCHAR(100) NULL"), ("identifier", "INTEGER NULL"), ("writer_uuid", "VARCHAR(128) NULL")]);
    }

    /// <summary>Creates the snapshot table when missing and adds columns an older version lacked.</summary>
    /// <param name="connection">An open read-write connection.</param>
    /// <param name="tables">Table names.</param>
    /// <exception cref="SqliteException">The database cannot be written.</exception>
    public static void InitializeSnapshots(SqliteConnection connection, TableNames tables)
    {
        Execute(connection, $"""
            CREATE TABLE IF NOT EXISTS {tables.Snapshot} (
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number INTEGER NOT NULL,
              created INTEGER NOT NULL,
              snapshot BLOB NOT NULL,
              manifest VARCHAR(500) NOT NULL DEFAULT '',
              serializer_id INTEGER NULL,
              PRIMARY KEY (persistence_id, sequence_number));
            """);
        AddMissingColumns(connection, tables.Snapshot, [("serializer_id", "INTEGER NULL")]);
    }

    private static void AddMissingColumns(SqliteConnection connection, string table, (string Name, string Type)[] columns)
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var info = connection.CreateCommand())
        {
            info.CommandText = $"PRAGMA table_info({table})";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                present.Add(reader.GetString(1));
            }
        }

        foreach (var (name, type) in columns)
        {
            if (!present.Contains(name))
            {
                Execute(connection, $"ALTER TABLE {table} ADD COLUMN {name} {type}");
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
