namespace Fabric.Actors.Bridge;

/// <summary>Messages understood by <see cref="BridgeActor"/>.</summary>
public static class BridgeProtocol
{
    /// <summary>Ask for the MAC table (fdb/show); answered with <see cref="Fdb"/>.</summary>
    public sealed record GetFdb;

    /// <summary>Reply: the bridge's ports and MAC entries (LRU first) at <paramref name="NowMs"/> (Unix ms).</summary>
    public sealed record Fdb(string Bridge, IReadOnlyList<BridgePort> Ports, IReadOnlyList<MacEntry> Entries, long NowMs);

    /// <summary>Flush learned MACs (fdb/flush) and the megaflows of the bridge's ports; answered with <see cref="FdbFlushed"/>.</summary>
    public sealed record FlushFdb;

    /// <summary>Reply: how many entries were flushed.</summary>
    public sealed record FdbFlushed(string Bridge, int Entries);

    /// <summary>
    /// One learning in a shard's <see cref="LearnMacs"/>: an upcall saw <paramref name="Mac"/> in <paramref name="Vlan"/> arrive on
    /// <paramref name="OfPort"/>, where the published table does not have it. The bridge, the table's only writer,
    /// learns it (OVS update_learning_table), publishes the new table version, tells the datapath actor which megaflows
    /// the change made wrong, and only then forwards <paramref name="Then"/> (the upcall's install and packet-out) to the
    /// datapath actor: whatever the packet causes (a reply) is translated against a table that already has its source.
    /// </summary>
    /// <param name="Vlan">The VLAN.</param>
    /// <param name="Mac">The source address.</param>
    /// <param name="OfPort">The port it arrived on.</param>
    /// <param name="Then">The upcall's install and packet-out, forwarded to the datapath actor after learning.</param>
    /// <param name="LockGratArp">The frame is a gratuitous ARP on a port that is not a bond: lock the entry for 5 s (OVS mac_entry_set_grat_arp_lock).</param>
    public sealed record LearnMac(int Vlan, ulong Mac, int OfPort, Fabric.Actors.Datapath.DatapathProtocol.InstallFlow? Then = null, bool LockGratArp = false);

    /// <summary>
    /// From a flow-table shard: every <see cref="LearnMac"/> of one drain of its inbox, in upcall order. The bridge learns
    /// them all, publishes one new table version and sends the datapath actor one invalidation for every address that
    /// changed, then forwards the installs as one <see cref="Fabric.Actors.Datapath.DatapathProtocol.InstallFlows"/>
    /// (one message each way per drain, not per new source; the shard stays the sender, so its replies reach it).
    /// </summary>
    /// <param name="Learns">The learnings, at least one.</param>
    public sealed record LearnMacs(IReadOnlyList<LearnMac> Learns);

    /// <summary>A source address that carried traffic through a cached megaflow (OVS learns from pushed stats).</summary>
    public sealed record MacSeen(int Vlan, ulong Mac, int OfPort);

    /// <summary>From a flow-table shard's revalidation: these source addresses carried traffic through cached megaflows.</summary>
    public sealed record RefreshMacs(IReadOnlyList<MacSeen> Seen);

    /// <summary>Timer message: expire idle MAC entries (OVS mac_learning_run).</summary>
    public sealed record AgeTick
    {
        /// <summary>The one instance.</summary>
        public static readonly AgeTick Instance = new();
    }

    /// <summary>
    /// Something NORMAL reads besides the MAC table changed (a bond's active member or input rule): the bridge publishes
    /// a new table version, so the shards' next revalidation sweep translates every megaflow again (OVS need_revalidate).
    /// </summary>
    public sealed record RevalidateAll
    {
        /// <summary>The one instance.</summary>
        public static readonly RevalidateAll Instance = new();
    }

    /// <summary>
    /// From the MAC bindings actor: every binding the other nodes of the cluster publish for this bridge's VNI (a full
    /// set each time). The bridge learns each on the tunnel port of its node, unless the address was learned on a local
    /// port (first-hand evidence wins), so unicast to it needs no flood first. Bindings of a node without an enabled
    /// tunnel port (unreachable, gone) are ignored.
    /// </summary>
    public sealed record RemoteMacs(IReadOnlyList<Cluster.RemoteMac> Macs);

    /// <summary>Ask for the bridge's configuration; answered with <see cref="BridgeSettings"/>.</summary>
    public sealed record GetSettings;
}
