using Fabric.Datapath.Flows;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Packets;

public class PacketParserTests
{
    private static readonly UInt128 V6A = UInt128.Parse("42540766411282592856903984951653826561"); // 2001:db8::1
    private static readonly UInt128 V6B = V6A + 1;

    /// <summary>Name, frame, expected key, expected TCP flags, number of VLAN tags, L3 kind.</summary>
    public static TheoryData<string, byte[], FlowKey, ushort> ValidFrames()
    {
        uint a = Ip(10, 0, 0, 1), b = Ip(10, 0, 0, 2);
        var data = new TheoryData<string, byte[], FlowKey, ushort>
        {
            {
                "unknown ethertype", Eth(MacB, MacA, 0x88cc, new byte[46]),
                FlowKey.Create(3, MacA, MacB, 0x88cc), 0
            },
            {
                "ipv4 udp", Eth(MacB, MacA, 0x0800, Ipv4(17, a, b, Udp(1000, 53))),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 17, ipv4Src: a, ipv4Dst: b, tpSrc: 1000, tpDst: 53, nwTtl: 64), 0
            },
            {
                "ipv4 tcp syn-ack with tos", Eth(MacB, MacA, 0x0800, Ipv4(6, a, b, Tcp(1234, 80, flags: 0x012), tos: 0xb8, ttl: 7)),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 6, ipv4Src: a, ipv4Dst: b, tpSrc: 1234, tpDst: 80, nwTos: 0xb8, nwTtl: 7), 0x012
            },
            {
                "ipv4 tcp with options in both headers", Eth(MacB, MacA, 0x0800, Ipv4(6, a, b, Tcp(1, 2, flags: 0x010, dataOffsetWords: 8), optionBytes: 12)),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 6, ipv4Src: a, ipv4Dst: b, tpSrc: 1, tpDst: 2, nwTtl: 64), 0x010
            },
            {
                "ipv4 icmp echo", Eth(MacB, MacA, 0x0800, Ipv4(1, a, b, Icmp(8, 0))),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 1, ipv4Src: a, ipv4Dst: b, tpSrc: 8, tpDst: 0, nwTtl: 64), 0
            },
            {
                "ipv4 sctp", Eth(MacB, MacA, 0x0800, Ipv4(132, a, b, Sctp(5000, 6000))),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 132, ipv4Src: a, ipv4Dst: b, tpSrc: 5000, tpDst: 6000, nwTtl: 64), 0
            },
            {
                "ipv4 first fragment keeps l4", Eth(MacB, MacA, 0x0800, Ipv4(17, a, b, Udp(7, 9, 16), fragOff: 0x2000)),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 17, ipv4Src: a, ipv4Dst: b, tpSrc: 7, tpDst: 9, nwTtl: 64, nwFrag: FlowKey.FragFirst), 0
            },
            {
                "ipv4 later fragment has no l4", Eth(MacB, MacA, 0x0800, Ipv4(17, a, b, new byte[3], fragOff: 0x0003)),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 17, ipv4Src: a, ipv4Dst: b, nwTtl: 64, nwFrag: FlowKey.FragLater), 0
            },
            {
                "ipv4 with ethernet padding", [.. Eth(MacB, MacA, 0x0800, Ipv4(17, a, b, Udp(1, 2))), .. new byte[18]],
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 17, ipv4Src: a, ipv4Dst: b, tpSrc: 1, tpDst: 2, nwTtl: 64), 0
            },
            {
                "arp request", Eth(Broadcast, MacA, 0x0806, Arp(1, MacA, a, 0, b)),
                FlowKey.Create(3, MacA, Broadcast, 0x0806, nwProto: 1, ipv4Src: a, ipv4Dst: b, arpSha: MacA), 0
            },
            {
                "rarp reply", Eth(Broadcast, MacA, 0x8035, Arp(4, MacA, 0, MacB, b)),
                FlowKey.Create(3, MacA, Broadcast, 0x8035, nwProto: 4, ipv4Dst: b, arpSha: MacA, arpTha: MacB), 0
            },
            {
                "802.1q tagged ipv4", Eth(MacB, MacA, 0x0800, Ipv4(17, a, b, Udp(1, 2)), (0x8100, (ushort)((5 << 13) | 10))),
                FlowKey.Create(3, MacA, MacB, 0x0800, vlanTci: (ushort)(0x1000 | (5 << 13) | 10), nwProto: 17, ipv4Src: a, ipv4Dst: b, tpSrc: 1, tpDst: 2, nwTtl: 64), 0
            },
            {
                "qinq 802.1ad + 802.1q", Eth(Broadcast, MacA, 0x0806, Arp(2, MacA, a, MacB, b), (0x88a8, 100), (0x8100, 20)),
                FlowKey.Create(3, MacA, Broadcast, 0x0806, vlanTci: 0x1000 | 100, vlanTci2: 0x1000 | 20, nwProto: 2, ipv4Src: a, ipv4Dst: b, arpSha: MacA, arpTha: MacB), 0
            },
            {
                "vid 0 priority tag is still a tag", Eth(MacB, MacA, 0x88cc, new byte[10], (0x8100, 0)),
                FlowKey.Create(3, MacA, MacB, 0x88cc, vlanTci: 0x1000), 0
            },
            {
                "802.3 llc without snap", Eth(MacB, MacA, 38, [0x42, 0x42, 0x03, .. new byte[35]]),
                FlowKey.Create(3, MacA, MacB, 0x05ff), 0
            },
            {
                "802.3 llc snap carrying ipv4", Eth(MacB, MacA, 40, [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, .. Ipv4(17, a, b, Udp(3, 4))]),
                FlowKey.Create(3, MacA, MacB, 0x0800, nwProto: 17, ipv4Src: a, ipv4Dst: b, tpSrc: 3, tpDst: 4, nwTtl: 64), 0
            },
            {
                "ipv6 udp", Eth(MacB, MacA, 0x86dd, Ipv6(17, V6A, V6B, Udp(546, 547), tclass: 0x20, hopLimit: 255)),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 17, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 546, tpDst: 547, nwTos: 0x20, nwTtl: 255), 0
            },
            {
                "ipv6 tcp after hop-by-hop, routing and dest-opts", Eth(MacB, MacA, 0x86dd, Ipv6(0, V6A, V6B, Ipv6Ext(43, 0, Ipv6Ext(60, 1, Ipv6Ext(6, 0, Tcp(22, 4000, 0x018)))))),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 6, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 22, tpDst: 4000, nwTtl: 64), 0x018
            },
            {
                "ipv6 first fragment keeps l4", Eth(MacB, MacA, 0x86dd, Ipv6(44, V6A, V6B, Ipv6Frag(17, 0, true, Udp(1, 2, 8)))),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 17, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 1, tpDst: 2, nwTtl: 64, nwFrag: FlowKey.FragFirst), 0
            },
            {
                "ipv6 later fragment has no l4", Eth(MacB, MacA, 0x86dd, Ipv6(44, V6A, V6B, Ipv6Frag(17, 185, false, new byte[5]))),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 17, ipv6Src: V6A, ipv6Dst: V6B, nwTtl: 64, nwFrag: FlowKey.FragLater), 0
            },
            {
                "icmpv6 echo", Eth(MacB, MacA, 0x86dd, Ipv6(58, V6A, V6B, Icmp(128, 0))),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 58, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 128, nwTtl: 64), 0
            },
            {
                "icmpv6 neighbour solicitation with source lla", Eth(MacB, MacA, 0x86dd, Ipv6(58, V6A, V6B, [135, 0, 0, 0, 0, 0, 0, 0, .. new byte[16], 1, 1, 0x50, 0x54, 0, 0, 0, 1])),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 58, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 135, nwTtl: 64, arpSha: MacA), 0
            },
            {
                "icmp type in ipv6 is not parsed as icmp", Eth(MacB, MacA, 0x86dd, Ipv6(1, V6A, V6B, [8, 0])),
                FlowKey.Create(3, MacA, MacB, 0x86dd, nwProto: 1, ipv6Src: V6A, ipv6Dst: V6B, nwTtl: 64), 0
            },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void Parses_valid_frames_into_the_expected_key(string name, byte[] frame, FlowKey expected, ushort expectedFlags)
    {
        DropReason r = PacketParser.Parse(frame, 3, out FlowKey key, out ushort flags);

        Assert.True(r == DropReason.None, $"{name}: {r}");
        Assert.Equal(FlowFormatter.FormatOdp(expected, FlowMask.Exact), FlowFormatter.FormatOdp(key, FlowMask.Exact));
        Assert.Equal(expected, key);
        Assert.Equal(expected.Hash, key.Hash);
        Assert.Equal(expectedFlags, flags);
    }

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void Every_truncation_of_a_valid_frame_is_dropped_with_the_layers_reason(string name, byte[] frame, FlowKey expected, ushort expectedFlags)
    {
        _ = expectedFlags;
        int tags = (expected.VlanTci != 0 ? 1 : 0) + (expected.VlanTci2 != 0 ? 1 : 0);
        int l3 = 14 + (4 * tags);
        bool snap = name.Contains("snap", StringComparison.Ordinal) && !name.Contains("without", StringComparison.Ordinal);
        int ipEnd = FirstValidLength(frame);
        for (int len = 0; len < frame.Length; len++)
        {
            DropReason r = PacketParser.Parse(frame.AsSpan(0, len), 3, out _, out _);
            DropReason want;
            if (len < 14)
            {
                want = DropReason.TooShort;
            }
            else if (len < l3)
            {
                want = DropReason.TruncatedVlan;
            }
            else if (len >= ipEnd)
            {
                want = DropReason.None;
            }
            else if (snap && len < l3 + 8)
            {
                // A cut SNAP header makes the frame a plain 802.3 frame (dl_type 0x05ff): not an error.
                want = DropReason.None;
            }
            else
            {
                want = expected.DlType switch
                {
                    0x0800 => DropReason.TruncatedIpv4,
                    0x86dd => DropReason.TruncatedIpv6,
                    0x0806 or 0x8035 => DropReason.TruncatedArp,
                    _ => DropReason.None,
                };
            }

            Assert.True(want == r, $"{name}, length {len}: expected {want}, got {r}");
        }
    }

    // The shortest prefix that still parses: frames with Ethernet padding parse once the datagram is complete.
    private static int FirstValidLength(byte[] frame)
    {
        for (int len = 0; len <= frame.Length; len++)
        {
            if (PacketParser.Parse(frame.AsSpan(0, len), 3, out _, out _) == DropReason.None &&
                Enumerable.Range(len, frame.Length - len + 1).All(l => PacketParser.Parse(frame.AsSpan(0, l), 3, out _, out _) == DropReason.None))
            {
                return len;
            }
        }

        return frame.Length;
    }

    public static TheoryData<string, byte[], DropReason> MalformedFrames()
    {
        uint a = Ip(10, 0, 0, 1), b = Ip(10, 0, 0, 2);
        byte[] badVersion = Ipv4(17, a, b, Udp(1, 2));
        badVersion[0] = 0x65;
        byte[] shortIhl = Ipv4(17, a, b, Udp(1, 2));
        shortIhl[0] = 0x44;
        byte[] totalTooSmall = Ipv4(17, a, b, Udp(1, 2));
        totalTooSmall[3] = 19;
        byte[] totalTooBig = Ipv4(17, a, b, Udp(1, 2));
        totalTooBig[3] = 200;
        byte[] ihlBeyondData = Ipv4(17, a, b, []);
        ihlBeyondData[0] = 0x4f;
        byte[] v6BadVersion = Ipv6(17, 1, 2, Udp(1, 2));
        v6BadVersion[0] = 0x45;
        return new TheoryData<string, byte[], DropReason>
        {
            { "empty", [], DropReason.TooShort },
            { "13 bytes", new byte[13], DropReason.TooShort },
            { "tpid without tag", Eth(MacB, MacA, 0x8100, [0x00]), DropReason.TruncatedVlan },
            { "second tag cut", Eth(MacB, MacA, 0x8100, [0x00, 0x0a], (0x88a8, 5)), DropReason.TruncatedVlan },
            { "arp body cut", Eth(Broadcast, MacA, 0x0806, Arp(1, MacA, a, 0, b).AsSpan(0, 27)), DropReason.TruncatedArp },
            { "ipv4 version 6", Eth(MacB, MacA, 0x0800, badVersion), DropReason.BadIpv4Header },
            { "ipv4 ihl 4", Eth(MacB, MacA, 0x0800, shortIhl), DropReason.BadIpv4Header },
            { "ipv4 total length below header", Eth(MacB, MacA, 0x0800, totalTooSmall), DropReason.BadIpv4Header },
            { "ipv4 total length beyond frame", Eth(MacB, MacA, 0x0800, totalTooBig), DropReason.TruncatedIpv4 },
            { "ipv4 ihl beyond frame", Eth(MacB, MacA, 0x0800, ihlBeyondData), DropReason.TruncatedIpv4 },
            { "tcp header cut", Eth(MacB, MacA, 0x0800, Ipv4(6, a, b, new byte[19])), DropReason.TruncatedTcp },
            { "tcp data offset 4", Eth(MacB, MacA, 0x0800, Ipv4(6, a, b, Tcp(1, 2, dataOffsetWords: 4))), DropReason.BadTcpHeader },
            { "tcp data offset beyond datagram", Eth(MacB, MacA, 0x0800, Ipv4(6, a, b, Tcp(1, 2, dataOffsetWords: 15).AsSpan(0, 40))), DropReason.TruncatedTcp },
            { "udp header cut", Eth(MacB, MacA, 0x0800, Ipv4(17, a, b, new byte[7])), DropReason.TruncatedUdp },
            { "sctp header cut", Eth(MacB, MacA, 0x0800, Ipv4(132, a, b, new byte[11])), DropReason.TruncatedSctp },
            { "icmp header cut", Eth(MacB, MacA, 0x0800, Ipv4(1, a, b, new byte[7])), DropReason.TruncatedIcmp },
            { "ipv6 version 4", Eth(MacB, MacA, 0x86dd, v6BadVersion), DropReason.BadIpv6Header },
            { "ipv6 fixed header cut", Eth(MacB, MacA, 0x86dd, new byte[39]), DropReason.TruncatedIpv6 },
            { "ipv6 hop-by-hop cut", Eth(MacB, MacA, 0x86dd, Ipv6(0, 1, 2, new byte[7])), DropReason.TruncatedIpv6ExtHeader },
            { "ipv6 routing longer than payload", Eth(MacB, MacA, 0x86dd, Ipv6(43, 1, 2, Ipv6Ext(17, 2, []).AsSpan(0, 16))), DropReason.TruncatedIpv6ExtHeader },
            { "ipv6 fragment header cut", Eth(MacB, MacA, 0x86dd, Ipv6(44, 1, 2, new byte[6])), DropReason.TruncatedIpv6ExtHeader },
            { "ipv6 ah cut", Eth(MacB, MacA, 0x86dd, Ipv6(51, 1, 2, [17, 4, 0, 0, 0, 0, 0, 0, 0, 0])), DropReason.TruncatedIpv6ExtHeader },
            { "ipv6 udp cut", Eth(MacB, MacA, 0x86dd, Ipv6(17, 1, 2, new byte[7])), DropReason.TruncatedUdp },
            { "icmpv6 cut", Eth(MacB, MacA, 0x86dd, Ipv6(58, 1, 2, new byte[3])), DropReason.TruncatedIcmpv6 },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public void Malformed_frames_report_their_reason(string name, byte[] frame, DropReason expected)
    {
        DropReason r = PacketParser.Parse(frame, 1, out FlowKey key, out ushort flags);

        Assert.True(expected == r, $"{name}: expected {expected}, got {r}");
        Assert.Equal(default, key);
        Assert.Equal(0, flags);
    }

    [Fact]
    public void Ipv6_authentication_header_is_walked_to_the_transport_header()
    {
        byte[] ah = [6, 2, 0, 0, .. new byte[12]]; // (2 + 2) * 4 = 16 bytes
        byte[] frame = Eth(MacB, MacA, 0x86dd, Ipv6(51, V6A, V6B, [.. ah, .. Tcp(443, 5555, 0x001)]));

        Assert.Equal(DropReason.None, PacketParser.Parse(frame, 1, out FlowKey key, out ushort flags));
        Assert.Equal(6, key.NwProto);
        Assert.Equal(443, key.TpSrc);
        Assert.Equal(5555, key.TpDst);
        Assert.Equal(0x001, flags);
    }

    [Fact]
    public void Arp_with_an_opcode_above_255_keeps_addresses_but_not_the_opcode()
    {
        byte[] frame = Eth(Broadcast, MacA, 0x0806, Arp(0x0101, MacA, Ip(1, 2, 3, 4), 0, Ip(5, 6, 7, 8)));

        Assert.Equal(DropReason.None, PacketParser.Parse(frame, 1, out FlowKey key, out _));
        Assert.Equal(0, key.ArpOp);
        Assert.Equal(Ip(1, 2, 3, 4), key.Ipv4Src);
    }

    [Fact]
    public void Random_bytes_never_throw_and_failures_leave_a_default_key()
    {
        Prop.ForAll(
                ArbMap.Default.ArbFor<byte[]>(),
                bytes =>
                {
                    DropReason r = PacketParser.Parse(bytes ?? [], 7, out FlowKey key, out _);
                    return r == DropReason.None ? key.InPort == 7 : key.Equals(default);
                })
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_corruption_of_valid_frames_never_throws()
    {
        byte[][] seeds = ValidFrames().Select(row => (byte[])row[1]).ToArray();
        Gen<(int Seed, int Pos, byte Value, int Cut)> gen =
            from s in Gen.Choose(0, seeds.Length - 1)
            from p in Gen.Choose(0, 200)
            from v in Gen.Choose(0, 255)
            from c in Gen.Choose(0, 200)
            select (s, p, (byte)v, c);
        Prop.ForAll(
                gen.ToArbitrary(),
                t =>
                {
                    byte[] f = (byte[])seeds[t.Seed].Clone();
                    f[t.Pos % f.Length] = t.Value;
                    DropReason r = PacketParser.Parse(f.AsSpan(0, Math.Min(f.Length, t.Cut)), 1, out _, out _);
                    return Enum.IsDefined(r);
                })
            .Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Parsing_allocates_nothing()
    {
        byte[] frame = Eth(MacB, MacA, 0x86dd, Ipv6(0, V6A, V6B, Ipv6Ext(6, 0, Tcp(22, 4000))));
        PacketParser.Parse(frame, 1, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            PacketParser.Parse(frame, 1, out _, out _);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
