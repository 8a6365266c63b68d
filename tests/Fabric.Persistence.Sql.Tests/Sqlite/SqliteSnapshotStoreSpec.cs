using Fabric.Kernel.Persistence.Snapshot;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Persistence.Sql.Tests.Sqlite;

public sealed class SqliteSnapshotStoreSpec : SnapshotStoreSpec
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fabric-sqlite-");

    private string DbPath => Path.Combine(_dir.FullName, "fabric.db");

    private string OutagePath => Path.Combine(_dir.FullName, "missing", "fabric.db");

    protected override string OutageMessagePrefix => $"sqlite snapshot-store {OutagePath}: unable to open database file";

    protected override ISnapshotStore CreateStore() => new SqliteSnapshotStore(DbPath);

    protected override Task<ISnapshotStore> OpenStoreDuringOutageAsync() => Task.FromResult<ISnapshotStore>(new SqliteSnapshotStore(OutagePath));

    protected override Task EndOutageAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OutagePath)!);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Delete(recursive: true);
    }
}
