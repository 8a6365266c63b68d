namespace Fabric.Host.Configuration;

/// <summary>Which database journals the datapath actor's events and snapshots (<c>fabric.persistence.plugin</c>).</summary>
public enum PersistencePlugin
{
    /// <summary><c>sqlite</c>: one SQLite file on the node (<see cref="PersistenceSettings.SqlitePath"/>), the embedded default.</summary>
    Sqlite,

    /// <summary><c>postgresql</c>: a PostgreSQL server (<see cref="PersistenceSettings.PostgresConnectionString"/>), for clusters.</summary>
    PostgreSql,
}
