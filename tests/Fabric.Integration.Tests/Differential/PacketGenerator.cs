using Fabric.Actors.Bridge;
using Fabric.Datapath.Flows;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// Generates a differential run's packets from a fixed seed (<see cref="Random"/> with a seed is stable across .NET
/// versions): first a fixed coverage list — on each bond member and in each VLAN the bond carries: broadcasts,
/// multicasts, unicasts to host-learned, bond-learned and unknown MACs, looped-back frames (source MAC learned on a
/// host port), gratuitous ARP requests and replies; from every host port: unicasts to the bond, broadcasts,
/// gratuitous ARPs, unknown and host unicasts; VLAN edge cases (tags on access ports, untrunked VIDs, priority tags,
/// native VLANs); reserved destinations; each L3/L4 kind to and from the bond; a destination equal to its own new
/// source — then <c>randomCount</c> random frames.
/// </summary>
public sealed class PacketGenerator
{
    /// <summary>The seed every scenario uses, so all modes see the same packets.</summary>
    public const int DefaultSeed = 20_260_101;

    private const ulong Ipv4Multicast = 0x01_00_5e_00_00_fb;
    private const ulong Ipv6Multicast = 0x33_33_00_00_00_01;
    private static readonly int[] AllVlans = [0, 10, 20, 30];
    private static readonly ulong[] Reserved = [0x01_80_c2_00_00_00, 0x01_80_c2_00_00_0e, 0x01_00_0c_cc_cc_cc, 0x01_00_0c_cc_cc_cd, 0x00_e0_2b_00_00_00];
    private static readonly PacketKind[] UnicastKinds =
        [PacketKind.Tcp4, PacketKind.Udp4, PacketKind.Icmp4, PacketKind.Frag4, PacketKind.Tcp6, PacketKind.Udp6, PacketKind.Icmp6, PacketKind.ArpRequest, PacketKind.ArpReply, PacketKind.Opaque];

    private static readonly PacketKind[] BroadcastKinds =
        [PacketKind.ArpRequest, PacketKind.GratArpRequest, PacketKind.GratArpReply, PacketKind.Udp4, PacketKind.Opaque];

    private readonly Random _random;
    private readonly List<TestPacket> _packets = [];
    private readonly HashSet<ulong> _known;

    private PacketGenerator(int seed)
    {
        _random = new Random(seed);
        _known = DifferentialTopology.Macs.Select(m => m.Mac).ToHashSet();
    }

    /// <summary>The kinds of payload generated.</summary>
    public enum PacketKind
    {
        /// <summary>ARP request (sender IP ≠ target IP).</summary>
        ArpRequest,

        /// <summary>Gratuitous ARP request: sender IP = target IP.</summary>
        GratArpRequest,

        /// <summary>Gratuitous ARP reply (opcode 2, sender IP = target IP).</summary>
        GratArpReply,

        /// <summary>ARP reply.</summary>
        ArpReply,

        /// <summary>IPv4 TCP SYN.</summary>
        Tcp4,

        /// <summary>IPv4 UDP.</summary>
        Udp4,

        /// <summary>IPv4 ICMP echo request.</summary>
        Icmp4,

        /// <summary>IPv4 UDP, a non-first fragment.</summary>
        Frag4,

        /// <summary>IPv6 TCP SYN.</summary>
        Tcp6,

        /// <summary>IPv6 UDP.</summary>
        Udp6,

        /// <summary>ICMPv6 echo request.</summary>
        Icmp6,

        /// <summary>EtherType 0x88b5.</summary>
        Opaque,
    }

    /// <summary>The packets for <paramref name="seed"/>: the coverage list, then <paramref name="randomCount"/> random ones.</summary>
    public static IReadOnlyList<TestPacket> Generate(int seed = DefaultSeed, int randomCount = 60)
    {
        var g = new PacketGenerator(seed);
        g.Coverage();
        for (var i = 0; i < randomCount; i++)
        {
            g.RandomPacket();
        }

        return g._packets;
    }

    private static HostPortSpec? Spec(string port) => DifferentialTopology.HostPorts.FirstOrDefault(p => p.Name == port);

    /// <summary>The VLANs a frame arriving on <paramref name="port"/> can belong to.</summary>
    private static int[] VlansOf(string port) => Spec(port) switch
    {
        null => AllVlans,
        { Mode: VlanMode.Access, Tag: { } tag } => [tag],
        { Mode: VlanMode.Trunk, Trunks.Length: 0 } => AllVlans,
        { Mode: VlanMode.Trunk } s => s.Trunks,
        { Tag: { } native } s => [.. s.Trunks.Append(native).Distinct()],
        _ => AllVlans,
    };

    private static string Role(string member) =>
        member == DifferentialTopology.Members[0].Name ? $"{member} (active)" : $"{member} (backup)";

    private static IEnumerable<StaticMac> HostsIn(int vlan) =>
        DifferentialTopology.Macs.Where(m => m.Vlan == vlan && m.Port != DifferentialTopology.Bond);

    private static ulong RemoteIn(int vlan) =>
        DifferentialTopology.Macs.First(m => m.Vlan == vlan && m.Port == DifferentialTopology.Bond).Mac;

    private static ulong HostOf(string port, int vlan) =>
        DifferentialTopology.Macs.FirstOrDefault(m => m.Port == port && m.Vlan == vlan)?.Mac ?? 0;

    private static uint Ip4(ulong mac, int vlan) => 0x0a000000u | ((uint)vlan << 16) | (uint)(mac & 0xffff);

    private static UInt128 Ip6(ulong mac) => new(0x2001_0db8_0000_0000UL, mac & 0xffff_ffff_ffffUL);

    private void Coverage()
    {
        const ulong bcast = FrameBuilder.Broadcast;
        foreach (var (member, _) in DifferentialTopology.Members)
        {
            foreach (var v in new[] { 0, 10, 20 })
            {
                var role = Role(member);
                var remote = RemoteIn(v);
                var hosts = HostsIn(v).ToArray();
                var host = hosts[_random.Next(hosts.Length)].Mac;
                var other = hosts.Select(h => h.Mac).First(m => m != host);
                Add($"broadcast ARP on {role}", member, v, Unknown(), bcast, PacketKind.ArpRequest);
                Add($"multicast UDP on {role}", member, v, remote, Ipv4Multicast, PacketKind.Udp4);
                Add($"unicast to host-learned MAC on {role}", member, v, remote, host, PacketKind.Tcp4);
                Add($"unicast to bond-learned MAC on {role}", member, v, Unknown(), remote, PacketKind.Udp4);
                Add($"unicast to unknown MAC on {role}", member, v, remote, Unknown(), PacketKind.Icmp4);
                Add($"looped-back unicast on {role}", member, v, host, other, PacketKind.Tcp4);
                Add($"looped-back broadcast ARP on {role}", member, v, host, bcast, PacketKind.ArpRequest);
                Add($"gratuitous ARP request, source host-learned, on {role}", member, v, host, bcast, PacketKind.GratArpRequest);
                Add($"gratuitous ARP reply, source host-learned, on {role}", member, v, host, bcast, PacketKind.GratArpReply);
                Add($"looped-back unicast ARP reply on {role}", member, v, host, remote, PacketKind.ArpReply);
            }
        }

        foreach (var port in new[] { DifferentialTopology.Bridge }.Concat(DifferentialTopology.HostPorts.Select(p => p.Name)))
        {
            var vlans = VlansOf(port).Where(v => v != 30).ToArray();
            var v = vlans[_random.Next(vlans.Length)];
            var self = HostOf(port, v) is var h and not 0 ? h : Unknown();
            var others = HostsIn(v).Select(m => m.Mac).Where(m => m != self).ToArray();
            Add($"host {port}: unicast to bond-learned MAC", port, v, self, RemoteIn(v), PacketKind.Tcp4);
            Add($"host {port}: broadcast ARP request", port, v, self, bcast, PacketKind.ArpRequest);
            Add($"host {port}: gratuitous ARP request", port, v, self, bcast, PacketKind.GratArpRequest);
            Add($"host {port}: unicast to unknown MAC", port, v, self, Unknown(), PacketKind.Udp4);
            Add($"host {port}: unicast to another host", port, v, self, others[_random.Next(others.Length)], PacketKind.Icmp4);
        }

        const ulong dual = 0x02_00_00_00_0d_01;
        Add("dual MAC: via bond in VLAN 10, learned on p1 there (looped back)", "m1", 10, dual, 0x02_00_00_00_03_0a, PacketKind.Tcp4);
        Add("dual MAC: via bond in VLAN 20, learned on the bond there", "m1", 20, dual, 0x02_00_00_00_02_01, PacketKind.Tcp4);
        Add("dual MAC: broadcast via bond in VLAN 20", "m1", 20, dual, bcast, PacketKind.ArpRequest);

        AddTagged("tagged VID 10 on access port p1", "p1", new VlanTag(10, 0), 0x02_00_00_00_01_01, bcast, PacketKind.ArpRequest);
        AddTagged("tagged VID 30 on access port p1", "p1", new VlanTag(30, 0), 0x02_00_00_00_01_01, 0x02_00_00_00_0b_0a, PacketKind.Tcp4);
        AddTagged("priority-tagged unicast on access port p1", "p1", new VlanTag(0, 5), 0x02_00_00_00_01_01, 0x02_00_00_00_0b_0a, PacketKind.Tcp4);
        AddTagged("priority-tagged broadcast on access port p2", "p2", new VlanTag(0, 3), 0x02_00_00_00_02_01, bcast, PacketKind.ArpRequest);
        AddTagged("untagged on trunk p3 (VLAN 0 not trunked)", "p3", null, Unknown(), 0x02_00_00_00_0b_00, PacketKind.Udp4);
        AddTagged("VID 30 on trunk p3 (not trunked)", "p3", new VlanTag(30, 0), Unknown(), bcast, PacketKind.ArpRequest);
        AddTagged("VID 30 broadcast on m1 (only p4 and the internal port carry it)", "m1", new VlanTag(30, 0), Unknown(), bcast, PacketKind.ArpRequest);
        AddTagged("VID 30 unknown unicast from p4", "p4", new VlanTag(30, 2), Unknown(), Unknown(), PacketKind.Udp4);
        AddTagged("native VLAN 20 tagged on p5", "p5", new VlanTag(20, 0), 0x02_00_00_00_05_14, 0x02_00_00_00_0b_14, PacketKind.Tcp4);
        AddTagged("native VLAN 20 untagged broadcast on p5", "p5", null, 0x02_00_00_00_05_14, bcast, PacketKind.ArpRequest);
        AddTagged("VID 10 pcp 4 on native-untagged p5", "p5", new VlanTag(10, 4), 0x02_00_00_00_05_0a, 0x02_00_00_00_0b_0a, PacketKind.Tcp4);
        AddTagged("priority-tagged on m1 to an untagged host", "m1", new VlanTag(0, 3), 0x02_00_00_00_0b_00, 0x02_00_00_00_04_01, PacketKind.Tcp4);
        AddTagged("VID 10 pcp 6 on m1 to an access host", "m1", new VlanTag(10, 6), 0x02_00_00_00_0b_0a, 0x02_00_00_00_01_01, PacketKind.Udp4);
        AddTagged("VID 20 pcp 1 on m1 to the native-untagged host", "m1", new VlanTag(20, 1), 0x02_00_00_00_0b_14, 0x02_00_00_00_05_14, PacketKind.Udp4);
        AddTagged("VID 10 on m2 (backup) to a trunk host", "m2", new VlanTag(10, 0), 0x02_00_00_00_0b_0a, 0x02_00_00_00_03_0a, PacketKind.Tcp4);

        foreach (var (port, v, dst) in new[] { ("m1", 0, Reserved[0]), ("p4", 0, Reserved[0]), ("m2", 10, Reserved[1]), ("m1", 0, Reserved[2]), ("p4", 0, Reserved[2]), ("p3", 10, Reserved[3]), ("p1", 10, Reserved[4]), ("m1", 20, Reserved[4]) })
        {
            Add($"reserved destination {FlowFormatter.FormatMac(dst)} on {port}", port, v, Unknown(), dst, PacketKind.Opaque);
        }

        foreach (var kind in UnicastKinds)
        {
            Add($"{kind} from host p4 to the bond", "p4", 0, 0x02_00_00_00_04_01, 0x02_00_00_00_0b_00, kind);
            Add($"{kind} from the bond (m1) to host p4", "m1", 0, 0x02_00_00_00_0b_00, 0x02_00_00_00_04_01, kind);
        }

        Add("Tcp4 from access host p1 to the bond", "p1", 10, 0x02_00_00_00_01_01, 0x02_00_00_00_0b_0a, PacketKind.Tcp4);
        Add("Udp6 from access host p2 to the bond", "p2", 20, 0x02_00_00_00_02_01, 0x02_00_00_00_0b_14, PacketKind.Udp6);

        foreach (var (port, v) in new[] { ("p4", 0), ("p1", 10), ("m1", 10) })
        {
            var self = Unknown();
            Add($"destination equals its own new source, on {port}", port, v, self, self, PacketKind.Udp4);
        }

        Add("multicast source MAC from p4 to the bond", "p4", 0, 0x03_00_00_00_00_01, 0x02_00_00_00_0b_00, PacketKind.Udp4);
    }

    private void RandomPacket()
    {
        var inputs = DifferentialTopology.InputPorts.ToList();
        inputs.AddRange(DifferentialTopology.Members.SelectMany(m => new[] { m.Name, m.Name }));
        var port = inputs[_random.Next(inputs.Count)];
        var vlans = VlansOf(port);
        var v = vlans[_random.Next(vlans.Length)];
        var hosts = HostsIn(v).Select(m => m.Mac).ToArray();
        var remotes = DifferentialTopology.Macs.Where(m => m.Vlan == v && m.Port == DifferentialTopology.Bond).Select(m => m.Mac).ToArray();
        ulong Pick(ulong[] from) => from.Length == 0 ? Unknown() : from[_random.Next(from.Length)];

        var s = _random.Next(100);
        var src = s < 35 ? Pick(hosts) : s < 60 ? Pick(remotes) : Unknown();
        var d = _random.Next(100);
        var dst = d < 20 ? FrameBuilder.Broadcast
            : d < 30 ? (_random.Next(2) == 0 ? Ipv4Multicast : Ipv6Multicast)
            : d < 60 ? Pick(hosts)
            : d < 75 ? Pick(remotes)
            : d < 95 ? Unknown()
            : Reserved[_random.Next(Reserved.Length)];
        if (dst == src)
        {
            // A frame to its own preloaded source is no fair question: OVS learns the source before it looks the
            // destination up, but never moves the static fdb/add entries this rig preloads, while Fabric's table (and
            // OVS's for a dynamic entry) would move it. "destination equals its own new source" covers the case.
            dst = Unknown();
        }

        var kind = dst == FrameBuilder.Broadcast ? BroadcastKinds[_random.Next(BroadcastKinds.Length)]
            : dst == Ipv4Multicast ? PacketKind.Udp4
            : dst == Ipv6Multicast ? PacketKind.Udp6
            : UnicastKinds[_random.Next(UnicastKinds.Length)];
        if (_random.Next(10) == 0)
        {
            // An invalid or unusual tag for this port: a VID it does not carry, or a priority tag.
            AddTagged("random (unusual tag)", port, new VlanTag(_random.Next(3) == 0 ? 0 : 30 + _random.Next(2), _random.Next(8)), src, dst, kind);
        }
        else
        {
            Add("random", port, v, src, dst, kind, _random.Next(4) == 0 ? _random.Next(1, 8) : 0);
        }
    }

    /// <summary>A new unicast MAC in no table (02:77:…).</summary>
    private ulong Unknown()
    {
        while (true)
        {
            var mac = 0x02_77_00_00_00_00UL | (uint)_random.Next(1, int.MaxValue);
            if (_known.Add(mac))
            {
                return mac;
            }
        }
    }

    /// <summary>Adds a frame in VLAN <paramref name="vlan"/> tagged the way <paramref name="port"/> expects it.</summary>
    private void Add(string category, string port, int vlan, ulong src, ulong dst, PacketKind kind, int pcp = 0)
    {
        var spec = Spec(port);
        VlanTag? tag = spec switch
        {
            { Mode: VlanMode.Access } => null,
            { Mode: VlanMode.NativeTagged or VlanMode.NativeUntagged, Tag: { } native } when native == vlan => null,
            _ => vlan == 0 ? null : new VlanTag(vlan, pcp),
        };
        AddTagged(category, port, tag, src, dst, kind, vlan);
    }

    private void AddTagged(string category, string port, VlanTag? tag, ulong src, ulong dst, PacketKind kind, int? vlanForIp = null)
    {
        var v = vlanForIp ?? tag?.Vid ?? 0;
        var srcIp = Ip4(src, v);
        var dstIp = dst == FrameBuilder.Broadcast ? 0xffff_ffffu : dst == Ipv4Multicast ? 0xe000_00fbu : Ip4(dst, v);
        var dstIp6 = dst == Ipv6Multicast ? new UInt128(0xff02_0000_0000_0000UL, 1) : Ip6(dst);
        var sport = (ushort)_random.Next(1024, 65535);
        var dport = (ushort)(_random.Next(2) == 0 ? 80 : _random.Next(1, 65535));
        var frame = kind switch
        {
            PacketKind.ArpRequest => FrameBuilder.Arp(dst, src, tag, 1, src, srcIp, 0, dst == FrameBuilder.Broadcast ? srcIp ^ 0x7f : dstIp),
            PacketKind.GratArpRequest => FrameBuilder.Arp(dst, src, tag, 1, src, srcIp, 0, srcIp),
            PacketKind.GratArpReply => FrameBuilder.Arp(dst, src, tag, 2, src, srcIp, src, srcIp),
            PacketKind.ArpReply => FrameBuilder.Arp(dst, src, tag, 2, src, srcIp, dst, dstIp),
            PacketKind.Tcp4 => FrameBuilder.Ipv4(dst, src, tag, FrameBuilder.ProtoTcp, srcIp, dstIp, sport, dport),
            PacketKind.Udp4 => FrameBuilder.Ipv4(dst, src, tag, FrameBuilder.ProtoUdp, srcIp, dstIp, sport, dport),
            PacketKind.Icmp4 => FrameBuilder.Ipv4(dst, src, tag, FrameBuilder.ProtoIcmp, srcIp, dstIp, 0, 0),
            PacketKind.Frag4 => FrameBuilder.Ipv4(dst, src, tag, FrameBuilder.ProtoUdp, srcIp, dstIp, 0, 0, laterFragment: true),
            PacketKind.Tcp6 => FrameBuilder.Ipv6(dst, src, tag, FrameBuilder.ProtoTcp, Ip6(src), dstIp6, sport, dport),
            PacketKind.Udp6 => FrameBuilder.Ipv6(dst, src, tag, FrameBuilder.ProtoUdp, Ip6(src), dstIp6, sport, dport),
            PacketKind.Icmp6 => FrameBuilder.Ipv6(dst, src, tag, FrameBuilder.ProtoIcmpv6, Ip6(src), dstIp6, 0, 0),
            _ => FrameBuilder.Opaque(dst, src, tag, 0x88b5),
        };
        var description = $"{port} {(tag is { } t ? t.ToString() : "untagged")} {FlowFormatter.FormatMac(src)} → {FlowFormatter.FormatMac(dst)} {kind}";
        _packets.Add(new TestPacket(_packets.Count, category, port, frame, description));
    }
}
