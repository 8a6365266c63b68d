namespace Fabric.Datapath.Forwarding;

/// <summary>
/// The lookup counters of one poll thread (OVS <c>dpif-netdev/pmd-stats-show</c>), read from <see cref="DatapathStats.ForPollThread"/>.
/// Every frame the thread received is exactly one of a hit, a miss or a parse drop. Counts are packets.
/// </summary>
/// <param name="Index">The poll thread (0-based; its thread is named fabric-poll-N).</param>
/// <param name="Hits">Packets that matched a megaflow (EMC or classifier).</param>
/// <param name="Missed">Packets that matched nothing and became upcalls (or were lost).</param>
/// <param name="Lost">Missed packets whose upcall was refused (queue full): OVS "miss with failed upcall".</param>
/// <param name="EmcHits">Hits served by the thread's exact-match cache.</param>
/// <param name="MaskHits">Subtables probed on classifier hits.</param>
/// <param name="ParseDrops">Frames the parser dropped.</param>
public readonly record struct PollThreadStats(int Index, long Hits, long Missed, long Lost, long EmcHits, long MaskHits, long ParseDrops)
{
    /// <summary>Frames the thread received and processed: hits, misses and parse drops.</summary>
    public long Received => Hits + Missed + ParseDrops;

    /// <summary>Hits found by the megaflow classifier (not the EMC).</summary>
    public long MegaflowHits => Hits - EmcHits;
}
