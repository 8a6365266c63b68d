namespace Fabric.Datapath.Bonds;

/// <summary>
/// Bytes sent per hash bucket of one bond, one row of 256 counters per poll thread so that no counter is written by
/// two threads (OVS's per-bucket tx_bytes, read by rebalancing, ovs-facts §1.4). The control plane sums the rows. Rows
/// are padded apart (<see cref="Forwarding.CounterRows"/>), so two threads' rows never share a cache line either.
/// </summary>
/// <remarks>Created once per bond and kept by every version of its <see cref="BondMap"/>, so a failover or a rebalance
/// does not reset the load history.</remarks>
public sealed class BondBucketCounters
{
    private static readonly int RowStride = Forwarding.CounterRows.Stride(BondMap.Buckets);

    private readonly long[] _bytes;

    /// <summary>Creates zeroed counters for <paramref name="threads"/> writers.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public BondBucketCounters(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _bytes = new long[Forwarding.CounterRows.Lead + (threads * RowStride)];
    }

    /// <summary>Number of writer rows.</summary>
    public int Threads { get; }

    /// <summary>Adds <paramref name="bytes"/> to <paramref name="bucket"/> in the row of <paramref name="thread"/> (that thread only).</summary>
    public void Add(int thread, int bucket, int bytes) => _bytes[Forwarding.CounterRows.Lead + (thread * RowStride) + bucket] += bytes;

    /// <summary>
    /// Writes into <paramref name="into"/> (256 entries) each bucket's bytes since the bond was created, summed over the
    /// rows. A row being written meanwhile is read as of some recent moment (64-bit reads do not tear).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="into"/> has fewer than 256 entries.</exception>
    public void Sum(Span<long> into)
    {
        if (into.Length < BondMap.Buckets)
        {
            throw new ArgumentException("needs 256 entries", nameof(into));
        }

        into[..BondMap.Buckets].Clear();
        for (int t = 0; t < Threads; t++)
        {
            int row = Forwarding.CounterRows.Lead + (t * RowStride);
            for (int b = 0; b < BondMap.Buckets; b++)
            {
                into[b] += Volatile.Read(ref _bytes[row + b]);
            }
        }
    }
}
