using Fabric.Kernel.Persistence.Journal;
using Fabric.Kernel.Persistence.Snapshot;
using Fabric.Persistence.Sql.Postgres;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Persistence.Sql;

/// <summary>
/// Builds the journal and snapshot store for one database, with the default table names (<c>journal</c>,
/// <c>journal_metadata</c>, <c>snapshot</c>). The host reads and checks <c>fabric.persistence</c>; this only opens what
/// it names. The stores open lazily (their first operation connects and creates the tables); call their
/// <c>InitializeAsync</c> to fail fast at start-up.
/// </summary>
public static class SqlPersistenceFactory
{
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

    /// <summary>Creates the journal and snapshot store kept in one SQLite file.</summary>
    /// <param name="path">The database file (created when missing).</param>
    /// <returns>The journal and the snapshot store; the caller disposes both.</returns>
    public static (IJournal Journal, ISnapshotStore SnapshotStore) CreateSqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return (new SqliteJournal(path, string.Empty), new SqliteSnapshotStore(path, string.Empty));
    }

    /// <summary>Creates the journal and snapshot store kept in a PostgreSQL database.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The journal and the snapshot store; the caller disposes both.</returns>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public static (IJournal Journal, ISnapshotStore SnapshotStore) CreatePostgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return (new PostgresJournal(connectionString, string.Empty), new PostgresSnapshotStore(connectionString, string.Empty));
    }
}
