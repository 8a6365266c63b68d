using Fabric.Kernel.Persistence.Journal;
using Fabric.Persistence.Sql.Postgres;
using Npgsql;

namespace Fabric.Persistence.Sql.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalSpec(PostgresFixture fixture) : JournalSpec
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + "_";
    private string _connectionString = string.Empty;

    protected override string OutageMessagePrefix => $"postgresql journal 127.0.0.1:{fixture.Server.Port}/{nameof(PostgresJournalSpec).ToLowerInvariant()}: ";

    public override async Task InitializeAsync() => _connectionString = await fixture.DatabaseForAsync(GetType());

    protected override IJournal CreateJournal() => new PostgresJournal(_connectionString, _prefix);

    protected override async Task<IJournal> OpenJournalDuringOutageAsync()
    {
        var journal = CreateJournal();
        await journal.WriteMessagesAsync([TestEvents.Write("before-outage", 1)]);
        await fixture.Server.StopAsync();
        return journal;
    }

    protected override Task EndOutageAsync() => fixture.Server.StartAsync();

    protected override async Task<IReadOnlyList<(string PersistenceId, long SequenceNr)>> ReadGlobalOrderAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT persistence_id, sequence_number FROM {_prefix}journal ORDER BY ordering", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    [Fact]
    public async Task A_wrong_port_fails_with_one_line_naming_the_target()
    {
        int port = fixture.Server.Port == 1 ? 2 : 1;
        await using var journal = new PostgresJournal($"Host=127.0.0.1;Port={port};Username=postgres;Database=nowhere;Timeout=3");

        var failure = await Assert.ThrowsAsync<SqlStoreException>(() => journal.WriteMessagesAsync([TestEvents.Write("p", 1)]));

        Assert.StartsWith($"postgresql journal 127.0.0.1:{port}/nowhere: ", failure.Message);
        Assert.Contains("refused", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Equal($"postgresql:127.0.0.1:{port}/nowhere", journal.Describe());
    }
}
