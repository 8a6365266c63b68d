using Fabric.Datapath.Forwarding;

namespace Fabric.Datapath.Packets;

/// <summary>
/// Counts of frames dropped by the parser, one counter per <see cref="DropReason"/>, in one row per poll thread
/// (<see cref="CounterRows"/>): writer w (1 + the poll thread's index) adds to its own row with plain stores, writer 0
/// (or one without a row) atomically to the shared row. Read at any time, summed over the rows (monotonic, possibly
/// slightly stale).
/// </summary>
public sealed class ParseDropCounters
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;

    private readonly long[] _cells;

    /// <summary>Counters with the shared row and one row per possible poll thread (<see cref="DatapathOptions.MaxPollThreads"/>).</summary>
    public ParseDropCounters()
        : this(DatapathOptions.MaxPollThreads)
    {
    }

    /// <summary>Counters with the shared row and <paramref name="writers"/> single-writer rows (one per poll thread).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="writers"/> is outside 0..<see cref="DatapathOptions.MaxPollThreads"/>.</exception>
    public ParseDropCounters(int writers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writers, DatapathOptions.MaxPollThreads);
        Writers = writers;
        _cells = CounterRows.Allocate(writers, ReasonCount);
    }

    /// <summary>Number of single-writer rows (writers 1..Writers); writer 0 is the shared row.</summary>
    public int Writers { get; }

    /// <summary>Frames dropped for <paramref name="reason"/> (packets); 0 for <see cref="DropReason.None"/>.</summary>
    public long Get(DropReason reason) =>
        reason != DropReason.None && (uint)reason < (uint)ReasonCount ? CounterRows.Sum(_cells, ReasonCount, (int)reason) : 0;

    /// <summary>Frames dropped for <paramref name="reason"/> by <paramref name="writer"/> alone (0 = the shared row) (packets).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="writer"/> is outside 0..<see cref="Writers"/>.</exception>
    public long Get(int writer, DropReason reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writer, Writers);
        return reason != DropReason.None && (uint)reason < (uint)ReasonCount ? CounterRows.Get(_cells, ReasonCount, writer, (int)reason) : 0;
    }

    /// <summary>Frames dropped for any reason (packets).</summary>
    public long Total
    {
        get
        {
            long total = 0;
            for (int r = 1; r < ReasonCount; r++)
            {
                total += CounterRows.Sum(_cells, ReasonCount, r);
            }

            return total;
        }
    }

    /// <summary>
    /// Adds <paramref name="packets"/> drops for <paramref name="reason"/> to the calling poll thread's row, or atomically
    /// to the shared row on any other thread (ignored for None or unknown values).
    /// </summary>
    public void Add(DropReason reason, long packets = 1) => Add(CounterRows.CurrentWriter, reason, packets);

    /// <summary>
    /// Adds <paramref name="packets"/> drops for <paramref name="reason"/> to <paramref name="writer"/>'s row (only that
    /// writer's thread may use it; 0, or a writer without a row, adds atomically to the shared row). Ignored for None or
    /// unknown values.
    /// </summary>
    public void Add(int writer, DropReason reason, long packets = 1)
    {
        if (reason != DropReason.None && (uint)reason < (uint)ReasonCount)
        {
            CounterRows.Add(_cells, Writers, ReasonCount, writer, (int)reason, packets);
        }
    }

    /// <summary>Every non-zero counter as "reason=count" pairs, for diagnostics.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        for (int r = 1; r < ReasonCount; r++)
        {
            long v = CounterRows.Sum(_cells, ReasonCount, r);
            if (v != 0)
            {
                parts.Add($"{(DropReason)r}={v}");
            }
        }

        return string.Join(", ", parts);
    }
}
