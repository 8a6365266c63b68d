namespace Fabric.Host.Cli;

/// <summary>The datapath summary that <c>dpctl/show</c> prints (ovs-facts §3.3; OVS <c>lib/dpctl.c:show_dpif</c>).</summary>
/// <param name="Name">The datapath name, printed as the header line followed by a colon, e.g. <c>netdev@fabric</c>.</param>
/// <param name="Hit">Packets that matched an installed megaflow (<c>lookups: hit</c>).</param>
/// <param name="Missed">Packets that missed and went up as upcalls (<c>lookups: missed</c>).</param>
/// <param name="Lost">Upcalls dropped, e.g. because the upcall queue was full (<c>lookups: lost</c>).</param>
/// <param name="Flows">Megaflows currently installed (<c>flows</c>).</param>
/// <param name="MaskHit">Masks (tuple-space subtables) probed in total for the hits and misses (<c>masks: hit</c>).</param>
/// <param name="Masks">Distinct masks currently in the megaflow classifier (<c>masks: total</c>).</param>
/// <param name="Ports">The datapath ports; printed sorted by port number.</param>
/// <param name="CacheHit">Packets answered by the exact-match cache, printed as <c>cache: hit:N hit-rate:X%</c>; null to omit the line.</param>
/// <param name="OffloadDropped">
/// Frames dropped on output because their offloads (GSO segmentation, partial checksum) could not be done in software for
/// a port without vnet headers, summed over the ports, printed as <c>offloads: dropped:N</c> (no OVS counterpart); null to
/// omit the line.
/// </param>
public sealed record DpShowModel(
    string Name,
    long Hit,
    long Missed,
    long Lost,
    long Flows,
    long MaskHit,
    int Masks,
    IReadOnlyList<DpShowPort> Ports,
    long? CacheHit = null,
    long? OffloadDropped = null);
