namespace Fabric.Host.Configuration;

/// <summary>
/// Where and how the datapath actor persists its state (<c>fabric.persistence</c>). Tables follow
/// Akka.Persistence.Sql's default mapping (<c>journal</c>, <c>tags</c>, <c>snapshot</c>); there is no table prefix.
/// </summary>
public sealed record PersistenceSettings
{
    /// <summary>The database in use (<c>fabric.persistence.plugin</c>: <c>sqlite</c> or <c>postgresql</c>).</summary>
    public required PersistencePlugin Plugin { get; init; }

    /// <summary>
    /// The SQLite database file (<c>fabric.persistence.sqlite.path</c>; default <c>&lt;fabric.state-dir&gt;/fabric.db</c>).
    /// Always set, also when <see cref="Plugin"/> is PostgreSQL.
    /// </summary>
    public required string SqlitePath { get; init; }

    /// <summary>
    /// The Npgsql connection string (<c>fabric.persistence.postgresql.connection-string</c>), as written; it has been
    /// checked by <c>NpgsqlConnectionStringBuilder</c>. Always set, also when <see cref="Plugin"/> is SQLite.
    /// </summary>
    public required string PostgresConnectionString { get; init; }

    /// <summary>The datapath actor saves a snapshot after this many flow changes (<c>fabric.persistence.snapshot-every</c>, ≥ 1).</summary>
    public required int SnapshotEvery { get; init; }

    /// <summary>
    /// The datapath actor also saves a snapshot this often when anything changed since the last one, so flow statistics
    /// survive a crash (<c>fabric.persistence.snapshot-interval</c>, default 60 s; 0 = off).
    /// </summary>
    public required TimeSpan SnapshotInterval { get; init; }
}
