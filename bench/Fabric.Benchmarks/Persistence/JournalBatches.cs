using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;

namespace Fabric.Benchmarks.Persistence;

/// <summary>
/// Builds group-commit batches for the journal benchmarks: <see cref="BatchSize"/> single-event AtomicWrites of
/// <see cref="PayloadBytes"/>-byte payloads spread over <see cref="PersistenceIds"/> ids, sequence numbers advancing per call.
/// </summary>
public sealed class JournalBatches
{
    /// <summary>Events (= AtomicWrites) per batch.</summary>
    public const int BatchSize = 1000;

    /// <summary>Payload size of each event in bytes.</summary>
    public const int PayloadBytes = 100;

    /// <summary>Persistence ids a batch is spread over.</summary>
    public const int PersistenceIds = 100;

    private readonly string[] _ids = new string[PersistenceIds];
    private readonly byte[] _payload = new byte[PayloadBytes];
    private long _round;

    /// <summary>Prepares ids and a random payload.</summary>
    public JournalBatches()
    {
        for (int i = 0; i < PersistenceIds; i++)
        {
            _ids[i] = $"datapath-{i:D3}";
        }

        new Random(42).NextBytes(_payload);
    }

    /// <summary>The next batch: every id gets <see cref="BatchSize"/> / <see cref="PersistenceIds"/> new sequence numbers.</summary>
    /// <returns>The AtomicWrites.</returns>
    public AtomicWrite[] Next()
    {
        const int PerId = BatchSize / PersistenceIds;
        var writes = new AtomicWrite[BatchSize];
        long created = DateTime.UtcNow.Ticks;
        for (int k = 0; k < PerId; k++)
        {
            long seq = (_round * PerId) + k + 1;
            for (int i = 0; i < PersistenceIds; i++)
            {
                writes[(k * PersistenceIds) + i] = new AtomicWrite([new PersistentRepr(_ids[i], seq, "fabric.dp.FlowInstalled.v1", _payload, created, [], "bench-writer")]);
            }
        }

        _round++;
        return writes;
    }

    /// <summary>One AtomicWrite per event of <paramref name="persistenceId"/>, sequence numbers 1..<see cref="BatchSize"/>.</summary>
    /// <param name="persistenceId">The id to fill.</param>
    /// <returns>The AtomicWrites.</returns>
    public AtomicWrite[] Fill(string persistenceId)
    {
        var writes = new AtomicWrite[BatchSize];
        for (int s = 0; s < BatchSize; s++)
        {
            writes[s] = new AtomicWrite([new PersistentRepr(persistenceId, s + 1, "fabric.dp.FlowInstalled.v1", _payload, DateTime.UtcNow.Ticks, [], "bench-writer")]);
        }

        return writes;
    }
}
