using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Sqlite;

/// <summary>
/// One SQLite file as used by a store: a single write connection (WAL, <c>synchronous=NORMAL</c>, <c>busy_timeout</c>),
/// serialised by a semaphore and opened lazily — after a failure it is dropped and the next call reopens it, so a store
/// whose file becomes reachable again works again — plus pooled read connections. Every driver failure is rethrown as a
/// one-line <see cref="SqlStoreException"/> <c>{name}: {cause}</c>.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    /// <summary>How long a statement waits for a lock held by another connection, in ms.</summary>
    public const int BusyTimeoutMs = 5000;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly Action<SqliteConnection> _initialize;
    private SqliteConnection? _writeConnection;
    private volatile bool _initialized;
    private bool _disposed;

    /// <summary>Describes the database; opens nothing.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="name">Prefix of error messages, e.g. "sqlite journal /var/lib/fabric/fabric.db".</param>
    /// <param name="initialize">Creates or migrates the store's tables on a freshly opened write connection.</param>
    public SqliteDatabase(string path, string name, Action<SqliteConnection> initialize)
    {
        Path = path;
        Name = name;
        _initialize = initialize;
        _writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The error-message prefix.</summary>
    public string Name { get; }

    /// <summary>Runs <paramref name="work"/> on the write connection, alone (opening and initializing it first when needed).</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="work">Synchronous database work; it gets the connection and whether it was just opened.</param>
    /// <param name="ct">Cancels the wait for the write lock.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="SqlStoreException">The file cannot be opened or the work failed.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return work(OpenWriteConnection());
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                DropWriteConnection();
                throw SqlErrors.Wrap(Name, e);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection (initializing the tables first when needed).</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="work">Synchronous read-only work.</param>
    /// <param name="ct">Cancels before the work starts.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="SqlStoreException">The file cannot be opened or the work failed.</exception>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        if (!_initialized)
        {
            await WriteAsync(static _ => true, ct).ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            using var connection = new SqliteConnection(_readConnectionString);
            connection.Open();
            return work(connection);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw SqlErrors.Wrap(Name, e);
        }
    }

    /// <summary>Closes the write connection and the read pool.</summary>
    /// <returns>A task completing when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            DropWriteConnection();
            using var connection = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(connection);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private SqliteConnection OpenWriteConnection()
    {
        if (_writeConnection is { } open)
        {
            return open;
        }

        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMs};";
                pragma.ExecuteNonQuery();
            }

            _initialize(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _writeConnection = connection;
        _initialized = true;
        return connection;
    }

    private void DropWriteConnection()
    {
        _writeConnection?.Dispose();
        _writeConnection = null;
    }
}
