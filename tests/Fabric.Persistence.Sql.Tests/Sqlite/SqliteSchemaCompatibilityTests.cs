using Fabric.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Tests.Sqlite;

public sealed class SqliteSchemaCompatibilityTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fabric-sqlite-");

    private string DbPath => Path.Combine(_dir.FullName, "fabric.db");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Rows_of_an_older_table_without_tags_identifier_and_writer_uuid_are_read_after_migration()
    {
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE journal (
                  ordering INTEGER PRIMARY KEY AUTOINCREMENT,
                  deleted INTEGER NOT NULL DEFAULT 0,
                  persistence_id VARCHAR(255) NOT NULL,
                  sequence_number INTEGER NOT NULL,
                  created INTEGER NOT NULL,
                  message BLOB NOT NULL,
                  manifest VARCHAR(500) NOT NULL,
                  UNIQUE (persistence_id, sequence_number));
                INSERT INTO journal (deleted, persistence_id, sequence_number, created, message, manifest) VALUES
                  (0, 'old', 1, 638000000000000000, x'0102', 'fabric.test.Old.v1'),
                  (1, 'old', 2, 638000000000000001, x'03', 'fabric.test.Old.v1');
                """;
            command.ExecuteNonQuery();
        }

        await using var journal = new SqliteJournal(DbPath);
        var replayed = new List<Kernel.Persistence.PersistentRepr>();
        await journal.ReplayMessagesAsync("old", 1, long.MaxValue, long.MaxValue, replayed.Add);

        var row = Assert.Single(replayed);
        Assert.Equal(1, row.SequenceNr);
        Assert.Equal("fabric.test.Old.v1", row.Manifest);
        Assert.Equal(new byte[] { 1, 2 }, row.Payload.ToArray());
        Assert.Equal(638000000000000000, row.Timestamp);
        Assert.Equal(string.Empty, row.WriterUuid);
        Assert.Empty(row.Tags);
        Assert.Equal(2, await journal.ReadHighestSequenceNrAsync("old", 0));

        var results = await journal.WriteMessagesAsync([TestEvents.Write("old", 3), TestEvents.Write("old", 2)]);
        Assert.Null(results[0]);
        Assert.IsType<JournalWriteRejectedException>(results[1]);
        replayed.Clear();
        await journal.ReplayMessagesAsync("old", 1, long.MaxValue, long.MaxValue, replayed.Add);
        Assert.Equal(new long[] { 1, 3 }, replayed.Select(e => e.SequenceNr));
        Assert.Equal("writer-1", replayed[1].WriterUuid);

        using var check = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        check.Open();
        using var columns = check.CreateCommand();
        columns.CommandText = "SELECT group_concat(name, ',') FROM pragma_table_info('journal')";
        Assert.Equal("ordering,deleted,persistence_id,sequence_number,created,message,manifest,tags,identifier,writer_uuid", columns.ExecuteScalar());
    }
}
