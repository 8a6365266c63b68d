using System.Runtime.InteropServices;
using Fabric.Actors.Bridge;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Normal;

/// <summary>
/// The NORMAL action: L2 learning switch with VLANs, following OVS's <c>xlate_normal</c> order
/// (ovs-facts §2.2): un-wildcard MACs and VLAN, find the input port, check and assign the VLAN
/// (§2.3), drop reserved multicast, learn the source, then forward to the learned port or flood to
/// every other port carrying the VLAN, translating the tag per output port. Split horizon (DESIGN "Cluster": VXLAN
/// full mesh): a frame that came in on a tunnel port is never output to another tunnel port, flooded or learned.
/// </summary>
/// <remarks>
/// Pure: it reads an immutable version of the MAC table and reports what learning the source would do
/// (<see cref="XlateResult.LearnOfPort"/>) instead of learning itself; the bridge actor, the table's single
/// writer, learns. Upcalls and revalidation translate the same way. Runs on the slow path only.
/// </remarks>
public sealed class NormalTranslator
{
    private const ushort EthTypeIpv4 = 0x0800;
    private const ushort EthTypeIpv6 = 0x86dd;
    private const ushort EthTypeArp = 0x0806;
    private const ushort EthTypeSlowProtocols = 0x8809;
    private const ulong LacpDestination = 0x0180_c200_0002UL;
    private const ushort VlanCfi = 0x1000;

    private readonly string _bridge;
    private readonly BondTable? _bonds;
    private PortMap _map;

    /// <summary>Creates a translator for one bridge's port configuration.</summary>
    /// <param name="settings">The bridge's ports.</param>
    /// <param name="bonds">The datapath's bond maps, read for the input rules of bond ports (null: a bridge without bonds).</param>
    /// <exception cref="ArgumentException">Two ports share an OpenFlow or datapath port number.</exception>
    public NormalTranslator(BridgeSettings settings, BondTable? bonds = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _bridge = settings.Name;
        _bonds = bonds;
        _map = PortMap.Of(settings.Name, settings.Ports);
    }

    /// <summary>The bridge's ports as NORMAL sees them now (configured ports, then tunnel ports), in OpenFlow port order.</summary>
    public IReadOnlyList<BridgePort> Ports => Volatile.Read(ref _map).FloodOrder;

    /// <summary>
    /// Replaces the bridge's ports (tunnel ports come and go with cluster members). Translations already running finish
    /// on the old set; every later one sees the new set. Called by the bridge actor only (one writer).
    /// </summary>
    /// <exception cref="ArgumentException">Two ports share an OpenFlow or datapath port number.</exception>
    public void SetPorts(IReadOnlyList<BridgePort> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        Volatile.Write(ref _map, PortMap.Of(_bridge, ports));
    }

    /// <summary>The port with datapath number <paramref name="dpPort"/>, or null.</summary>
    public BridgePort? PortByDp(ushort dpPort) => Volatile.Read(ref _map).ByDp.GetValueOrDefault(dpPort);

    /// <summary>The port with OpenFlow number <paramref name="ofPort"/>, or null.</summary>
    public BridgePort? PortByOf(int ofPort) => Volatile.Read(ref _map).ByOf.GetValueOrDefault(ofPort);

    /// <summary>True when <paramref name="dpPort"/> belongs to this bridge.</summary>
    public bool Owns(ushort dpPort) => Volatile.Read(ref _map).ByDp.ContainsKey(dpPort);

    /// <summary>Translates <paramref name="key"/> through NORMAL.</summary>
    /// <param name="key">The flow (unmasked on upcalls; a masked megaflow key on revalidation — NORMAL only reads fields its mask keeps).</param>
    /// <param name="macs">The MAC learning table version to forward by.</param>
    public XlateResult Translate(in FlowKey key, MacTableView macs)
    {
        ArgumentNullException.ThrowIfNull(macs);
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlType();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardVlanTci();
        if (key.DlType is EthTypeIpv4 or EthTypeIpv6)
        {
            wc.UnwildcardNwFrag();
        }

        var map = Volatile.Read(ref _map);
        if (!map.ByDp.TryGetValue(key.InPort, out var inPort))
        {
            return Drop(ref wc, -1, -1, "no input bundle, dropping");
        }

        if (inPort.Bond is { Lacp: not Bonds.Lacp.LacpMode.Off } && key.DlType == EthTypeSlowProtocols && key.DlDst == LacpDestination)
        {
            // OVS process_special: LACPDUs go to the bond's LACP state machine, every one of them (slow_path(lacp)).
            return new XlateResult(DatapathActions.Create([DatapathAction.Userspace()]), wc.ToMask(), -1, -1, "LACP PDU, handled by the bond") { IsLacp = true };
        }

        var tagged = key.HasVlan;
        var vlanOrNull = inPort.InputVlan(tagged, key.VlanVid);
        if (vlanOrNull is not int vlan)
        {
            return Drop(ref wc, -1, -1, "disallowed VLAN VID for this input port, dropping");
        }

        if (IsReserved(key.DlDst))
        {
            return Drop(ref wc, vlan, -1, "packet has reserved destination MAC, dropping");
        }

        if (inPort.Bond is { } bond && Admissibility(key, vlan, inPort, bond, macs, ref wc) is { } refused)
        {
            return Drop(ref wc, vlan, -1, refused);
        }

        // OVS xlate_normal evaluates is_gratuitous_arp for every admitted frame (MAC learning needs it), so its
        // megaflows match the opcode of broadcast ARPs and the addresses of broadcast ARP requests.
        var gratArp = IsGratuitousArp(key, ref wc);
        var learned = !MacLearningTable.IsMulticast(key.DlSrc) && macs.Lookup(vlan, key.DlSrc) != inPort.OfPort ? inPort.OfPort : -1;
        if (learned >= 0 && gratArp && inPort.Bond is not null && macs.IsGratArpLocked(vlan, key.DlSrc))
        {
            // OVS update_learning_table__: a gratuitous ARP reflected back over a bond does not move a locked entry.
            learned = -1;
        }

        var outputs = new List<DatapathAction>(8);
        var state = new TagState(tagged, key.VlanTci);
        var pcp = tagged ? (ushort)(key.VlanTci & 0xe000) : (ushort)0;
        // OVS learns the source before it looks the destination up: a frame to its own source address, which it has
        // just learned (or moved) here, finds it on the input port.
        var dst = learned >= 0 && key.DlDst == key.DlSrc ? inPort.OfPort : macs.Lookup(vlan, key.DlDst);
        string reason;
        var flooded = false;
        if (dst is int outOf && map.ByOf.TryGetValue(outOf, out var outPort))
        {
            if (outPort.OfPort == inPort.OfPort)
            {
                return Drop(ref wc, vlan, learned, "learned port is input port, dropping") with { IsGratuitousArp = gratArp };
            }

            if (!outPort.Carries(vlan))
            {
                return Drop(ref wc, vlan, learned, "learned port does not carry the VLAN, dropping") with { IsGratuitousArp = gratArp };
            }

            if (inPort.IsTunnel && outPort.IsTunnel)
            {
                return Drop(ref wc, vlan, learned, "learned port is a tunnel and so is the input port (split horizon), dropping") with { IsGratuitousArp = gratArp };
            }

            Emit(outputs, ref state, outPort, vlan, pcp, key, ref wc);
            reason = "forwarding to learned port";
        }
        else
        {
            // Split horizon: a frame from a tunnel is flooded to the local ports only (every node floods its own).
            foreach (var p in map.FloodOrder)
            {
                if (p.OfPort != inPort.OfPort && p.Carries(vlan) && !(inPort.IsTunnel && p.IsTunnel))
                {
                    Emit(outputs, ref state, p, vlan, pcp, key, ref wc);
                }
            }

            reason = "no learned MAC for destination, flooding";
            flooded = true;
        }

        var actions = outputs.Count == 0 ? DatapathActions.Drop : DatapathActions.Create(CollectionsMarshal.AsSpan(outputs));
        return new XlateResult(actions, wc.ToMask(), vlan, learned, reason) { IsGratuitousArp = gratArp, Flooded = flooded };
    }

    private static XlateResult Drop(ref FlowWildcards wc, int vlan, int learned, string reason) =>
        new(DatapathActions.Drop, wc.ToMask(), vlan, learned, reason);

    /// <summary>
    /// The bond input rules (OVS bond_check_admissibility, ovs-facts §1.8) for a frame of <paramref name="vlan"/> that
    /// arrived on a member of <paramref name="port"/>: null when it is accepted, else the trace reason of the drop.
    /// </summary>
    private string? Admissibility(in FlowKey key, int vlan, BridgePort port, Bonds.BondSettings bond, MacTableView macs, ref FlowWildcards wc)
    {
        if (_bonds?.Get(bond.BondId) is not { } map)
        {
            return "bond is not set up yet, dropping";
        }

        switch (map.InputRule)
        {
            case BondInputRule.DropAll:
                return "bond is not negotiated or not allowed to receive, dropping";
            case BondInputRule.Negotiated:
                return map.Member(key.InPort) is { } m && (m.Enabled || m.MayEnable) ? null : "LACP member not enabled, dropping";
        }

        var broadcast = MacLearningTable.IsMulticast(key.DlDst);
        if (broadcast && key.InPort != map.ActiveMember && !map.AllMembersActive)
        {
            return "bonding refused admissibility, dropping (broadcast or multicast on a member that is not active)";
        }

        if (map.InputRule == BondInputRule.ActiveOnly)
        {
            return key.InPort == map.ActiveMember ? null : "bonding refused admissibility, dropping (not the active member)";
        }

        // balance-slb "drop if moved": a source learned on another port has looped back through the bond, unless it is
        // a gratuitous ARP (which may move an entry).
        if (macs.Lookup(vlan, key.DlSrc) is int learnedOn && learnedOn != port.OfPort
            && (!IsGratuitousArp(key, ref wc) || macs.IsGratArpLocked(vlan, key.DlSrc)))
        {
            return "SLB bond thinks this packet looped back, dropping";
        }

        return null;
    }

    /// <summary>
    /// OVS is_gratuitous_arp: an ARP to broadcast that is a reply, or a request whose sender and target IP are equal;
    /// un-wildcards exactly what OVS reads on the way: dl_dst, then for broadcasts the opcode, then for requests the
    /// sender and target IPs.
    /// </summary>
    private static bool IsGratuitousArp(in FlowKey key, ref FlowWildcards wc)
    {
        if (key.DlType != EthTypeArp)
        {
            return false;
        }

        wc.UnwildcardDlDst();
        if (key.DlDst != 0xffff_ffff_ffffUL)
        {
            return false;
        }

        wc.UnwildcardArpOp();
        if (key.ArpOp == 2)
        {
            return true;
        }

        if (key.ArpOp != 1)
        {
            return false;
        }

        wc.UnwildcardIpv4Src();
        wc.UnwildcardIpv4Dst();
        return key.Ipv4Src == key.Ipv4Dst;
    }

    /// <summary>Appends the tag operations that make the frame right for <paramref name="port"/>, then the output (a bond output for a bond).</summary>
    private static void Emit(List<DatapathAction> actions, ref TagState state, BridgePort port, int vlan, ushort pcp, in FlowKey key, ref FlowWildcards wc)
    {
        // OVS xvlan_put: a copy keeps an 802.1Q header whenever its TCI (VID | PCP) is non-zero, so a priority-tagged
        // frame (VID 0, PCP != 0) stays priority-tagged on a trunk in VLAN 0 (access ports always strip).
        var priorityTagged = vlan == 0 && pcp != 0 && port.Mode is VlanMode.Trunk or VlanMode.NativeTagged;
        if (port.EgressTagged(vlan) || priorityTagged)
        {
            var tci = (ushort)(VlanCfi | pcp | (vlan & 0x0fff));
            if (!state.Tagged)
            {
                actions.Add(DatapathAction.PushVlan(tci));
            }
            else if (state.Tci != tci)
            {
                actions.Add(DatapathAction.SetVlanTci(tci));
            }

            state = new TagState(true, tci);
        }
        else if (state.Tagged)
        {
            actions.Add(DatapathAction.PopVlan());
            state = new TagState(false, 0);
        }

        if (port.Bond is not { } bond)
        {
            actions.Add(DatapathAction.Output(port.DpPort));
            return;
        }

        // The bucket is the hash of fields the megaflow matches exactly (SLB: dl_src and the VLAN; TCP: the 5-tuple,
        // un-wildcarded here), so every packet of the megaflow has it; the datapath maps it to a member per packet.
        var bucket = bond.Mode switch
        {
            BondMode.BalanceSlb => BondHash.Bucket(BondHash.SlbHash(key.DlSrc, vlan, bond.HashBasis)),
            BondMode.BalanceTcp => BondHash.Bucket(BondHash.TcpHash(key, bond.HashBasis)),
            _ => 0,
        };
        if (bond.Mode == BondMode.BalanceTcp)
        {
            BondHash.UnwildcardTcpHashFields(key, ref wc);
        }

        actions.Add(DatapathAction.Bond(bond.BondId, (byte)bucket));
    }

    /// <summary>
    /// OVS eth_addr_is_reserved (ovs-facts §1.8, never forwarded by default): the IEEE 802.1D group addresses
    /// 01:80:c2:00:00:00–0f, Extreme EDP/EAPS 00:e0:2b:00:00:00/04/06, Cisco ISL 01:00:0c:00:00:00, PAgP/UDLD/CDP/DTP/VTP
    /// 01:00:0c:cc:cc:cc, PVST+ 01:00:0c:cc:cc:cd, STP Uplink Fast 01:00:0c:cd:cd:cd and Cisco CFM 01:00:0c:cc:cc:c0–c7.
    /// </summary>
    private static bool IsReserved(ulong mac) =>
        (mac & ~0xfUL) == 0x0180_c200_0000UL
        || (mac & ~0x7UL) == 0x0100_0ccc_ccc0UL
        || mac is 0x00e0_2b00_0000UL or 0x00e0_2b00_0004UL or 0x00e0_2b00_0006UL
            or 0x0100_0c00_0000UL or 0x0100_0ccc_ccccUL or 0x0100_0ccc_cccdUL or 0x0100_0ccd_cdcdUL;

    private readonly record struct TagState(bool Tagged, ushort Tci);

    /// <summary>One immutable version of the bridge's ports, indexed for translation.</summary>
    private sealed record PortMap(Dictionary<ushort, BridgePort> ByDp, Dictionary<int, BridgePort> ByOf, BridgePort[] FloodOrder)
    {
        public static PortMap Of(string bridge, IReadOnlyList<BridgePort> ports)
        {
            var byDp = new Dictionary<ushort, BridgePort>();
            var byOf = new Dictionary<int, BridgePort>();
            foreach (var p in ports)
            {
                if (!byOf.TryAdd(p.OfPort, p))
                {
                    throw new ArgumentException($"bridge {bridge}: port {p.Name} reuses a port number", nameof(ports));
                }

                foreach (var dp in p.DpPorts)
                {
                    if (!byDp.TryAdd(dp, p))
                    {
                        throw new ArgumentException($"bridge {bridge}: port {p.Name} reuses a port number", nameof(ports));
                    }
                }
            }

            return new PortMap(byDp, byOf, ports.OrderBy(p => p.OfPort).ToArray());
        }
    }
}
