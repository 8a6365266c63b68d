using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// Datapath-wide counters as <c>dpctl/show</c> prints them (ovs-facts §3.3: "lookups: hit:N missed:N lost:N",
/// "masks: hit:N total:N hit/pkt:X"). Poll threads add per batch with <see cref="Interlocked"/>.
/// </summary>
public sealed class DatapathStats
{
    private long _hits;
    private long _missed;
    private long _lost;
    private long _emcHits;
    private long _maskHits;

    /// <summary>Packets that matched a megaflow (EMC or classifier).</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Packets that matched nothing and were sent up as upcalls (or lost).</summary>
    public long Missed => Volatile.Read(ref _missed);

    /// <summary>Missed packets whose upcall was refused because the upcall queue was full.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>Hits served by an exact-match cache.</summary>
    public long EmcHits => Volatile.Read(ref _emcHits);

    /// <summary>Subtables probed on classifier hits (OVS "masks hit"); divide by classifier hits for hit/pkt.</summary>
    public long MaskHits => Volatile.Read(ref _maskHits);

    /// <summary>Frames the parser dropped, per reason.</summary>
    public ParseDropCounters ParseDrops { get; } = new();

    /// <summary>Adds one batch's counts.</summary>
    internal void Add(long hits, long missed, long lost, long emcHits, long maskHits)
    {
        if (hits != 0)
        {
            Interlocked.Add(ref _hits, hits);
        }

        if (missed != 0)
        {
            Interlocked.Add(ref _missed, missed);
        }

        if (lost != 0)
        {
            Interlocked.Add(ref _lost, lost);
        }

        if (emcHits != 0)
        {
            Interlocked.Add(ref _emcHits, emcHits);
        }

        if (maskHits != 0)
        {
            Interlocked.Add(ref _maskHits, maskHits);
        }
    }

    /// <summary>"hit:N missed:N lost:N", as ovs-appctl dpctl/show prints lookups.</summary>
    public override string ToString() => $"hit:{Hits} missed:{Missed} lost:{Lost}";
}
