using System.Collections.Concurrent;

namespace Fabric.Actors.Tests.Support;

/// <summary>One throwaway cluster for the "postgres" collection, with a fresh database per test class.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _databases = new();
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("server not started");

    public async Task InitializeAsync() => _server = await PostgresServer.StartNewAsync();

    public Task<string> DatabaseForAsync(Type testClass) =>
        _databases.GetOrAdd(testClass.Name.ToLowerInvariant(), name => new Lazy<Task<string>>(() => Server.CreateDatabaseAsync(name))).Value;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
