using Fabric.Persistence.Sql.Postgres;
using Npgsql;

namespace Fabric.Persistence.Sql.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaCompatibilityTests(PostgresFixture fixture) : IAsyncLifetime
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + "_";
    private string _connectionString = string.Empty;

    public async Task InitializeAsync() => _connectionString = await fixture.DatabaseForAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rows_of_an_older_table_without_writer_uuid_are_read_after_migration()
    {
        await using (var connection = new NpgsqlConnection(_connectionString + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"""
                CREATE TABLE {_prefix}journal (
                  ordering BIGSERIAL NOT NULL PRIMARY KEY,
                  deleted BOOLEAN NOT NULL DEFAULT FALSE,
                  persistence_id VARCHAR(255) NOT NULL,
                  sequence_number BIGINT NOT NULL,
                  created BIGINT NOT NULL,
                  tags VARCHAR(100) NULL,
                  message BYTEA NOT NULL,
                  identifier INTEGER NULL,
                  manifest VARCHAR(500) NOT NULL,
                  UNIQUE (persistence_id, sequence_number));
                INSERT INTO {_prefix}journal (deleted, persistence_id, sequence_number, created, tags, message, manifest) VALUES
                  (FALSE, 'old', 1, 638000000000000000, ';a;b;', '\x0102', 'fabric.test.Old.v1'),
                  (TRUE, 'old', 2, 638000000000000001, NULL, '\x03', 'fabric.test.Old.v1');
                """, connection);
            await command.ExecuteNonQueryAsync();
        }

        await using var journal = new PostgresJournal(_connectionString, _prefix);
        var replayed = new List<Kernel.Persistence.PersistentRepr>();
        await journal.ReplayMessagesAsync("old", 1, long.MaxValue, long.MaxValue, replayed.Add);

        var row = Assert.Single(replayed);
        Assert.Equal(new byte[] { 1, 2 }, row.Payload.ToArray());
        Assert.Equal(new[] { "a", "b" }, row.Tags);
        Assert.Equal(string.Empty, row.WriterUuid);
        Assert.Equal(638000000000000000, row.Timestamp);
        Assert.Equal(2, await journal.ReadHighestSequenceNrAsync("old", 0));

        var results = await journal.WriteMessagesAsync([TestEvents.Write("old", 3), TestEvents.Write("old", 2)]);
        Assert.Null(results[0]);
        Assert.IsType<JournalWriteRejectedException>(results[1]);
        replayed.Clear();
        await journal.ReplayMessagesAsync("old", 1, long.MaxValue, long.MaxValue, replayed.Add);
        Assert.Equal(new long[] { 1, 3 }, replayed.Select(e => e.SequenceNr));
        Assert.Equal("writer-1", replayed[1].WriterUuid);
    }
}
