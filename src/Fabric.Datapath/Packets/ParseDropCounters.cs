namespace Fabric.Datapath.Packets;

/// <summary>
/// Counts of frames dropped by the parser, one counter per <see cref="DropReason"/>. Updated with
/// <see cref="Interlocked"/> by poll threads; read at any time (monotonic, possibly slightly stale).
/// </summary>
public sealed class ParseDropCounters
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;

    // One cache line (8 longs) per reason so that poll threads do not share lines.
    private readonly long[] _counts = new long[ReasonCount * 8];

    /// <summary>Frames dropped for <paramref name="reason"/> (packets); 0 for <see cref="DropReason.None"/>.</summary>
    public long Get(DropReason reason) =>
        (uint)reason < (uint)ReasonCount ? Volatile.Read(ref _counts[(int)reason * 8]) : 0;

    /// <summary>Frames dropped for any reason (packets).</summary>
    public long Total
    {
        get
        {
            long total = 0;
            for (int r = 1; r < ReasonCount; r++)
            {
                total += Volatile.Read(ref _counts[r * 8]);
            }

            return total;
        }
    }

    /// <summary>Adds <paramref name="packets"/> drops for <paramref name="reason"/> (ignored for None or unknown values).</summary>
    public void Add(DropReason reason, long packets = 1)
    {
        if (reason != DropReason.None && (uint)reason < (uint)ReasonCount)
        {
            Interlocked.Add(ref _counts[(int)reason * 8], packets);
        }
    }

    /// <summary>Every non-zero counter as "reason=count" pairs, for diagnostics.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        for (int r = 1; r < ReasonCount; r++)
        {
            long v = Volatile.Read(ref _counts[r * 8]);
            if (v != 0)
            {
                parts.Add($"{(DropReason)r}={v}");
            }
        }

        return string.Join(", ", parts);
    }
}
