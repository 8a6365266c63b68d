using Fabric.Datapath.Flows;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// The one vocabulary both sides' megaflows are compared in: the OpenFlow field names of OVS's
/// <c>ofproto/trace</c> "Megaflow:" line (<c>lib/match.c:match_format</c>), mapped to canonical names, and Fabric's
/// <see cref="FlowMask"/> named field by field in the same canonical names. Only presence is compared (a field is
/// "present" when any of its mask bits is set), not mask values.
/// </summary>
/// <remarks>
/// Canonical names and the OVS spellings that map to them:
/// <list type="bullet">
/// <item><c>in_port</c> ← <c>in_port</c>.</item>
/// <item><c>dl_src</c> ← <c>dl_src</c>, <c>eth_src</c>; <c>dl_dst</c> ← <c>dl_dst</c>, <c>eth_dst</c>.</item>
/// <item><c>dl_type</c> ← <c>dl_type=</c>/<c>eth_type=</c> and the protocol shorthands <c>ip</c>, <c>ipv6</c>, <c>arp</c>,
/// <c>rarp</c>; the shorthands <c>tcp</c>, <c>udp</c>, <c>sctp</c>, <c>icmp</c> and their <c>…6</c> forms stand for
/// <c>dl_type</c> + <c>nw_proto</c> (OVS prints them only when nw_proto is matched).</item>
/// <item><c>vlan_tci</c> ← <c>vlan_tci</c>, <c>dl_vlan</c>, <c>dl_vlan_pcp</c>, <c>vlan_vid</c>, <c>vlan_pcp</c>
/// (OVS prints <c>dl_vlan=N</c> for an exact VID+CFI match). For an <b>untagged</b> frame OVS's megaflow never shows
/// the VLAN: it is the datapath's implicit "no 802.1Q header" (eth_type is not 0x8100); Fabric's mask is then
/// required to pin the "tag present" bit (0x1000) and the name is left out on both sides, the way
/// <see cref="FlowFormatter.FormatOdp"/> also omits it. A Fabric mask that does not pin it on an untagged frame is
/// reported as the pseudo-field <see cref="UntaggedNotPinned"/>, which OVS never has, so it shows as a difference.</item>
/// <item><c>vlan_tci2</c> ← <c>vlan_tci1</c>, <c>dl_vlan1</c>, <c>dl_vlan_pcp1</c> (the inner tag).</item>
/// <item>IPv4: <c>nw_src</c>, <c>nw_dst</c>, <c>nw_proto</c>, <c>nw_tos</c> (← <c>nw_tos</c>, <c>nw_ecn</c>, <c>ip_dscp</c>),
/// <c>nw_ttl</c>, <c>nw_frag</c>, <c>tp_src</c> (← <c>tp_src</c>, <c>tcp_src</c>, <c>udp_src</c>, <c>sctp_src</c>,
/// <c>icmp_type</c>, <c>icmpv6_type</c>), <c>tp_dst</c> (likewise, ← <c>icmp_code</c>, <c>icmpv6_code</c>).
/// IPv6 addresses are <c>ipv6_src</c>/<c>ipv6_dst</c>, the rest as IPv4.</item>
/// <item>ARP/RARP: <c>arp_op</c>, <c>arp_spa</c>, <c>arp_tpa</c>, <c>arp_sha</c>, <c>arp_tha</c> (Fabric keeps the opcode in
/// nw_proto and spa/tpa in nw_src/nw_dst, as OVS's <c>struct flow</c> does).</item>
/// <item>Left out, intended: <c>recirc_id</c> (OVS prints <c>recirc_id=0</c> on every first-pass megaflow; Fabric has no
/// recirculation, its ODP form prints a constant <c>recirc_id(0)</c>) and <c>eth</c> (packet_type Ethernet; Fabric only
/// has Ethernet).</item>
/// <item>Any other OVS name is kept as it is, so it can only show up as a difference.</item>
/// </list>
/// </remarks>
public static class MegaflowFieldNames
{
    /// <summary>Pseudo-field for a Fabric mask that leaves the "tag present" bit of an untagged frame wildcarded.</summary>
    public const string UntaggedNotPinned = "vlan_tci(untagged, present bit not matched)";

    private const ushort EthTypeArp = 0x0806;
    private const ushort EthTypeRarp = 0x8035;
    private const ushort EthTypeIpv4 = 0x0800;
    private const ushort EthTypeIpv6 = 0x86dd;

    /// <summary>OVS names that carry no comparable information (see the remarks).</summary>
    public static readonly IReadOnlySet<string> IgnoredOvsNames = new HashSet<string>(StringComparer.Ordinal) { "recirc_id", "eth" };

    private static readonly Dictionary<string, string[]> OvsAliases = new(StringComparer.Ordinal)
    {
        ["eth_src"] = ["dl_src"],
        ["eth_dst"] = ["dl_dst"],
        ["eth_type"] = ["dl_type"],
        ["ip"] = ["dl_type"],
        ["ipv4"] = ["dl_type"],
        ["ipv6"] = ["dl_type"],
        ["arp"] = ["dl_type"],
        ["rarp"] = ["dl_type"],
        ["tcp"] = ["dl_type", "nw_proto"],
        ["udp"] = ["dl_type", "nw_proto"],
        ["sctp"] = ["dl_type", "nw_proto"],
        ["icmp"] = ["dl_type", "nw_proto"],
        ["tcp6"] = ["dl_type", "nw_proto"],
        ["udp6"] = ["dl_type", "nw_proto"],
        ["sctp6"] = ["dl_type", "nw_proto"],
        ["icmp6"] = ["dl_type", "nw_proto"],
        ["dl_vlan"] = ["vlan_tci"],
        ["dl_vlan_pcp"] = ["vlan_tci"],
        ["vlan_vid"] = ["vlan_tci"],
        ["vlan_pcp"] = ["vlan_tci"],
        ["vlan_tci1"] = ["vlan_tci2"],
        ["dl_vlan1"] = ["vlan_tci2"],
        ["dl_vlan_pcp1"] = ["vlan_tci2"],
        ["nw_ecn"] = ["nw_tos"],
        ["ip_dscp"] = ["nw_tos"],
        ["tcp_src"] = ["tp_src"],
        ["udp_src"] = ["tp_src"],
        ["sctp_src"] = ["tp_src"],
        ["icmp_type"] = ["tp_src"],
        ["icmpv6_type"] = ["tp_src"],
        ["tcp_dst"] = ["tp_dst"],
        ["udp_dst"] = ["tp_dst"],
        ["sctp_dst"] = ["tp_dst"],
        ["icmp_code"] = ["tp_dst"],
        ["icmpv6_code"] = ["tp_dst"],
    };

    /// <summary>The canonical names of the fields in an OVS "Megaflow:" line (parsed by <see cref="Ovs.OvsTrace"/>).</summary>
    public static SortedSet<string> FromOvs(IReadOnlyDictionary<string, string> megaflowFields)
    {
        ArgumentNullException.ThrowIfNull(megaflowFields);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in megaflowFields.Keys)
        {
            if (IgnoredOvsNames.Contains(name))
            {
                continue;
            }

            if (OvsAliases.TryGetValue(name, out var canonical))
            {
                names.UnionWith(canonical);
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The canonical names of the fields <paramref name="mask"/> matches for a packet with key <paramref name="key"/>.</summary>
    public static SortedSet<string> FromFabric(in FlowKey key, in FlowMask mask)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Add(names, mask.InPort != 0, "in_port");
        Add(names, mask.DlType != 0, "dl_type");
        if (key.HasVlan)
        {
            Add(names, mask.VlanTci != 0, "vlan_tci");
        }
        else
        {
            Add(names, (mask.VlanTci & FlowKey.VlanPresent) == 0, UntaggedNotPinned);
        }

        Add(names, mask.VlanTci2 != 0, "vlan_tci2");
        Add(names, mask.DlSrc != 0, "dl_src");
        Add(names, mask.DlDst != 0, "dl_dst");
        switch (key.DlType)
        {
            case EthTypeArp:
            case EthTypeRarp:
                Add(names, mask.NwProto != 0, "arp_op");
                Add(names, mask.Ipv4Src != 0, "arp_spa");
                Add(names, mask.Ipv4Dst != 0, "arp_tpa");
                Add(names, mask.ArpSha != 0, "arp_sha");
                Add(names, mask.ArpTha != 0, "arp_tha");
                // Not ARP fields; only a hash reading the (zero) L4 ports of an ARP flow would set them.
                Add(names, mask.TpSrc != 0, "tp_src");
                Add(names, mask.TpDst != 0, "tp_dst");
                AddIpHeaderBits(names, mask);
                break;
            case EthTypeIpv6:
                Add(names, mask.Ipv6Src != UInt128.Zero, "ipv6_src");
                Add(names, mask.Ipv6Dst != UInt128.Zero, "ipv6_dst");
                Add(names, mask.NwProto != 0, "nw_proto");
                AddIpHeaderBits(names, mask);
                Add(names, mask.TpSrc != 0, "tp_src");
                Add(names, mask.TpDst != 0, "tp_dst");
                Add(names, mask.ArpSha != 0, "nd_sll");
                Add(names, mask.ArpTha != 0, "nd_tll");
                break;
            default:
                // IPv4, and for any other EtherType whatever L3/L4 bits are set (under the IPv4 names).
                Add(names, mask.Ipv4Src != 0 || (key.DlType != EthTypeIpv4 && mask.Ipv6Src != UInt128.Zero), "nw_src");
                Add(names, mask.Ipv4Dst != 0 || (key.DlType != EthTypeIpv4 && mask.Ipv6Dst != UInt128.Zero), "nw_dst");
                Add(names, mask.NwProto != 0, "nw_proto");
                AddIpHeaderBits(names, mask);
                Add(names, mask.TpSrc != 0, "tp_src");
                Add(names, mask.TpDst != 0, "tp_dst");
                Add(names, mask.ArpSha != 0, "arp_sha");
                Add(names, mask.ArpTha != 0, "arp_tha");
                break;
        }

        return names;
    }

    private static void AddIpHeaderBits(SortedSet<string> names, in FlowMask mask)
    {
        Add(names, mask.NwTos != 0, "nw_tos");
        Add(names, mask.NwTtl != 0, "nw_ttl");
        Add(names, mask.NwFrag != 0, "nw_frag");
    }

    private static void Add(SortedSet<string> names, bool present, string name)
    {
        if (present)
        {
            names.Add(name);
        }
    }
}
