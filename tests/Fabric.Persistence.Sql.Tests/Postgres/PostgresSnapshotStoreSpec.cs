using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Snapshot;
using Fabric.Persistence.Sql.Postgres;

namespace Fabric.Persistence.Sql.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreSpec(PostgresFixture fixture) : SnapshotStoreSpec
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + "_";
    private string _connectionString = string.Empty;

    protected override string OutageMessagePrefix => $"postgresql snapshot-store 127.0.0.1:{fixture.Server.Port}/{nameof(PostgresSnapshotStoreSpec).ToLowerInvariant()}: ";

    public override async Task InitializeAsync() => _connectionString = await fixture.DatabaseForAsync(GetType());

    protected override ISnapshotStore CreateStore() => new PostgresSnapshotStore(_connectionString, _prefix);

    protected override async Task<ISnapshotStore> OpenStoreDuringOutageAsync()
    {
        var store = CreateStore();
        await store.LoadAsync("before-outage", SnapshotSelectionCriteria.Latest);
        await fixture.Server.StopAsync();
        return store;
    }

    protected override Task EndOutageAsync() => fixture.Server.StartAsync();
}
