using System.Net.Sockets;
using Npgsql;

namespace Fabric.Persistence.Sql.Postgres;

/// <summary>
/// One PostgreSQL database as used by a store: an <see cref="NpgsqlDataSource"/> (connection pool), the store's tables created
/// or migrated on first use, and every failure rethrown as a one-line <see cref="SqlStoreException"/> <c>{name}: {cause}</c>.
/// After a failure the pool is cleared, so connections broken by a server restart are not reused and the store works again
/// as soon as the server is back.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Func<NpgsqlConnection, CancellationToken, Task> _initialize;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the pool; connects to nothing yet.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="store">The store kind for messages, e.g. "postgresql journal".</param>
    /// <param name="initialize">Creates or migrates the store's tables.</param>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public PostgresDatabase(string connectionString, string store, Func<NpgsqlConnection, CancellationToken, Task> initialize)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Target = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        Name = $"{store} {Target}";
        _dataSource = NpgsqlDataSource.Create(builder);
        _initialize = initialize;
    }

    /// <summary>host:port/database (no credentials).</summary>
    public string Target { get; }

    /// <summary>The error-message prefix.</summary>
    public string Name { get; }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, creating the tables first when needed.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="work">Database work.</param>
    /// <param name="ct">Cancels the work.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="SqlStoreException">The server cannot be reached or the work failed.</exception>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            if (!_initialized)
            {
                await InitializeAsync(connection, ct).ConfigureAwait(false);
            }

            return await work(connection, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException || (e is InvalidOperationException && !ct.IsCancellationRequested))
        {
            _dataSource.Clear();
            throw SqlErrors.Wrap(Name, e);
        }
    }

    /// <summary>Closes the pool.</summary>
    /// <returns>A task completing when closed.</returns>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task InitializeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await _initializeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await _initialize(connection, ct).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initializeLock.Release();
        }
    }
}
