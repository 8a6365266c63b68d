using BenchmarkDotNet.Attributes;
using Fabric.Kernel.Persistence;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Benchmarks.Persistence;

/// <summary>
/// SQLite journal (WAL, synchronous=NORMAL, temp file): group-commit append of batches of 1000 single-event AtomicWrites of
/// 100-byte payloads over 100 persistence ids (one transaction per batch, batch construction included), and replay of 1000
/// events of one id. Each operation is one event, so events/s = 1e9 / (ns per op). Target: ≥ 100k events/s appended.
/// </summary>
[MemoryDiagnoser]
public class SqliteJournalBenchmarks
{
    private readonly JournalBatches _batches = new();
    private DirectoryInfo _dir = null!;
    private SqliteJournal _journal = null!;
    private long _replayed;

    /// <summary>Creates the database and fills the replay id.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fabric-bench-sqlite-");
        _journal = new SqliteJournal(Path.Combine(_dir.FullName, "fabric.db"));
        _journal.WriteMessagesAsync(_batches.Fill("replay")).GetAwaiter().GetResult();
    }

    /// <summary>Closes and deletes the database.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dir.Delete(recursive: true);
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
