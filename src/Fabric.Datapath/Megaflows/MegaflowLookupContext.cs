using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// One reader's private state for <see cref="MegaflowTable.Lookup(in Flows.FlowKey, MegaflowLookupContext, out int)"/>:
/// the hits of each subtable counted by that reader alone, which <see cref="MegaflowTable.Rerank"/> sums. A poll
/// thread (OVS PMD thread, which keeps its own dpcls and its own subtable hit counts) owns one, so the per-packet
/// path writes no counter that another thread writes.
/// </summary>
/// <remarks>
/// Created by <see cref="MegaflowTable.CreateLookupContext"/> and used by one thread at a time. The reranker reads
/// the counters while their owner writes them (a 64-bit read is atomic); a hit counted during a re-rank falls into
/// the next interval.
/// </remarks>
public sealed class MegaflowLookupContext
{
    private long[] _hits;

    internal MegaflowLookupContext(int subtables) =>
        _hits = new long[Math.Max(8, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, subtables)))];

    /// <summary>Hits counted in the subtable with <see cref="MegaflowSubtable.Index"/> <paramref name="index"/> (any thread).</summary>
    internal long HitsOf(int index)
    {
        long[] hits = Volatile.Read(ref _hits);
        return (uint)index < (uint)hits.Length ? Volatile.Read(ref hits[index]) : 0;
    }

    /// <summary>Owner only: counts one hit in subtable <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountHit(int index)
    {
        long[] hits = _hits;
        if ((uint)index < (uint)hits.Length)
        {
            hits[index]++;
        }
        else
        {
            Grow(index);
        }
    }

    // A subtable index beyond the array: once per new high-water mark of the table's mask count.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int index)
    {
        var hits = new long[(int)BitOperations.RoundUpToPowerOf2((uint)index + 1)];
        _hits.CopyTo(hits, 0);
        hits[index]++;
        Volatile.Write(ref _hits, hits);
    }
}
