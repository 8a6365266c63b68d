using Fabric.Kernel.Persistence.Journal;
using Fabric.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Tests.Sqlite;

public sealed class SqliteJournalSpec : JournalSpec
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fabric-sqlite-");

    private string DbPath => Path.Combine(_dir.FullName, "fabric.db");

    private string OutagePath => Path.Combine(_dir.FullName, "missing", "fabric.db");

    protected override string OutageMessagePrefix => $"sqlite journal {OutagePath}: unable to open database file";

    protected override IJournal CreateJournal() => new SqliteJournal(DbPath);

    protected override Task<IJournal> OpenJournalDuringOutageAsync() => Task.FromResult<IJournal>(new SqliteJournal(OutagePath));

    protected override Task EndOutageAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OutagePath)!);
        return Task.CompletedTask;
    }

    protected override Task<IReadOnlyList<(string PersistenceId, long SequenceNr)>> ReadGlobalOrderAsync()
    {
        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id, sequence_number FROM journal ORDER BY ordering";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return Task.FromResult<IReadOnlyList<(string, long)>>(rows);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task The_file_is_in_wal_mode_and_describe_names_it()
    {
        await using var journal = new SqliteJournal(DbPath);
        await journal.InitializeAsync();

        Assert.Equal("sqlite:" + DbPath, journal.Describe());
        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Journal_and_snapshot_store_share_one_file_with_prefixed_tables()
    {
        await using var journal = new SqliteJournal(DbPath, "node1_");
        await using var snapshots = new SqliteSnapshotStore(DbPath, "node1_");
        await journal.WriteMessagesAsync([TestEvents.Write("p", 1)]);
        await snapshots.SaveAsync(new Kernel.Persistence.SnapshotMetadata("p", 1, DateTime.UtcNow), "m", new byte[] { 1 });

        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'node1_%' ORDER BY name)";
        Assert.Equal("node1_journal,node1_journal_metadata,node1_snapshot", command.ExecuteScalar());
    }
}
