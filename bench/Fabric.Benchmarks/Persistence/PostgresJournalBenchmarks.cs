using BenchmarkDotNet.Attributes;
using Fabric.Kernel.Persistence;
using Fabric.Persistence.Sql.Postgres;
using Npgsql;

namespace Fabric.Benchmarks.Persistence;

/// <summary>
/// PostgreSQL journal: the same append (batches of 1000 single-event AtomicWrites of 100 bytes, one binary COPY per batch)
/// and replay (1000 events) as <see cref="SqliteJournalBenchmarks"/>, against the database of
/// env <c>FABRIC_BENCH_PG</c> (skipped when unset; <c>tests/pg/pg-start.sh</c> starts a throwaway one). Tables get a fresh
/// prefix and are dropped afterwards. events/s = 1e9 / (ns per op).
/// </summary>
[MemoryDiagnoser]
[RequiresEnvironmentVariable(EnvironmentVariable)]
public class PostgresJournalBenchmarks
{
    /// <summary>The environment variable holding the Npgsql connection string.</summary>
    public const string EnvironmentVariable = "FABRIC_BENCH_PG";

    private readonly JournalBatches _batches = new();
    private readonly string _prefix = "bench" + Guid.NewGuid().ToString("N")[..8] + "_";
    private string _connectionString = string.Empty;
    private PostgresJournal _journal = null!;
    private long _replayed;

    /// <summary>Creates the tables and fills the replay id.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _connectionString = Environment.GetEnvironmentVariable(EnvironmentVariable)
            ?? throw new InvalidOperationException(EnvironmentVariable + " is not set");
        _journal = new PostgresJournal(_connectionString, _prefix);
        _journal.WriteMessagesAsync(_batches.Fill("replay")).GetAwaiter().GetResult();
    }

    /// <summary>Closes the pool and drops the tables.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {_prefix}journal, {_prefix}journal_metadata", connection);
        drop.ExecuteNonQuery();
    }

    /// <summary>Appends one batch of 1000 events.</summary>
    /// <returns>The per-write results.</returns>
    [Benchmark(OperationsPerInvoke = JournalBatches.BatchSize)]
    public Task<IReadOnlyList<Exception?>> Append() => _journal.WriteMessagesAsync(_batches.Next());

    /// <summary>Replays 1000 events of one persistence id.</summary>
    /// <returns>A task completing after the replay.</returns>
    [Benchmark(OperationsPerInvoke = JournalBatches.BatchSize)]
    public Task Replay() => _journal.ReplayMessagesAsync("replay", 1, long.MaxValue, long.MaxValue, Count);

    private void Count(PersistentRepr repr) => _replayed += repr.SequenceNr;
}
