using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// Datapath-wide counters as <c>dpctl/show</c> prints them (ovs-facts §3.3: "lookups: hit:N missed:N lost:N",
/// "masks: hit:N total:N hit/pkt:X"), kept as OVS keeps its PMD statistics: one row per poll thread, which adds its
/// batch's counts to its own row with plain stores (<see cref="CounterRows"/>), and readers sum the rows. One poll
/// thread's row alone is <see cref="ForPollThread"/> (<c>dpif-netdev/pmd-stats-show</c>).
/// </summary>
public sealed class DatapathStats
{
    private const int Counters = 5;
    private const int HitsAt = 0;
    private const int MissedAt = 1;
    private const int LostAt = 2;
    private const int EmcHitsAt = 3;
    private const int MaskHitsAt = 4;

    private readonly long[] _cells;

    /// <summary>Counters for a datapath with one poll thread.</summary>
    public DatapathStats()
        : this(1)
    {
    }

    /// <summary>Counters with one row for each of <paramref name="pollThreads"/> poll threads.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pollThreads"/> is outside 1..<see cref="DatapathOptions.MaxPollThreads"/>.</exception>
    public DatapathStats(int pollThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pollThreads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pollThreads, DatapathOptions.MaxPollThreads);
        PollThreads = pollThreads;
        _cells = CounterRows.Allocate(pollThreads, Counters);
        ParseDrops = new ParseDropCounters(pollThreads);
    }

    /// <summary>Number of poll threads counted (rows).</summary>
    public int PollThreads { get; }

    /// <summary>Packets that matched a megaflow (EMC or classifier).</summary>
    public long Hits => Sum(HitsAt);

    /// <summary>Packets that matched nothing and were sent up as upcalls (or lost).</summary>
    public long Missed => Sum(MissedAt);

    /// <summary>Missed packets whose upcall was refused because the upcall queue was full.</summary>
    public long Lost => Sum(LostAt);

    /// <summary>Hits served by an exact-match cache.</summary>
    public long EmcHits => Sum(EmcHitsAt);

    /// <summary>Subtables probed on classifier hits (OVS "masks hit"); divide by classifier hits for hit/pkt.</summary>
    public long MaskHits => Sum(MaskHitsAt);

    /// <summary>Frames the parser dropped, per reason (writer row = 1 + poll thread index).</summary>
    public ParseDropCounters ParseDrops { get; }

    /// <summary>The counters of poll thread <paramref name="index"/> alone.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..<see cref="PollThreads"/>-1.</exception>
    public PollThreadStats ForPollThread(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, PollThreads);
        int writer = index + 1;
        long drops = 0;
        foreach (DropReason r in Enum.GetValues<DropReason>())
        {
            drops += ParseDrops.Get(writer, r);
        }

        return new PollThreadStats(
            index,
            Get(writer, HitsAt),
            Get(writer, MissedAt),
            Get(writer, LostAt),
            Get(writer, EmcHitsAt),
            Get(writer, MaskHitsAt),
            drops);
    }

    /// <summary>"hit:N missed:N lost:N", as ovs-appctl dpctl/show prints lookups.</summary>
    public override string ToString() => $"hit:{Hits} missed:{Missed} lost:{Lost}";

    /// <summary>Adds one batch's counts to poll thread <paramref name="thread"/>'s row (that thread only).</summary>
    internal void Add(int thread, long hits, long missed, long lost, long emcHits, long maskHits)
    {
        int writer = thread + 1;
        CounterRows.Add(_cells, PollThreads, Counters, writer, HitsAt, hits);
        CounterRows.Add(_cells, PollThreads, Counters, writer, MissedAt, missed);
        CounterRows.Add(_cells, PollThreads, Counters, writer, LostAt, lost);
        CounterRows.Add(_cells, PollThreads, Counters, writer, EmcHitsAt, emcHits);
        CounterRows.Add(_cells, PollThreads, Counters, writer, MaskHitsAt, maskHits);
    }

    private long Get(int writer, int counter) => CounterRows.Get(_cells, Counters, writer, counter);

    private long Sum(int counter) => CounterRows.Sum(_cells, Counters, counter);
}
