using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Tests.Support;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Flows;

public class FlowFormatterTests
{
    [Fact]
    public void Ipv4_l2_megaflow_prints_like_dpctl_dump_flows()
    {
        // dpctl-dump-flows-dummy.txt, first line.
        FlowKey key = FlowKey.Create(1, MacA, MacB, 0x0800, nwProto: 6, ipv4Src: Ip(10, 0, 0, 1), ipv4Dst: Ip(10, 0, 0, 2), tpSrc: 1234, tpDst: 80, nwTtl: 64);

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(frag=no)",
            FlowFormatter.FormatOdp(key.Masked(Masks.L2()), Masks.L2()));
    }

    [Fact]
    public void Arp_megaflow_with_arp_fields_prints_like_netdev_dump()
    {
        // netdev-dpctl-dump-flows.txt, first line.
        FlowKey key = FlowKey.Create(2, 0x027700000001, Broadcast, 0x0806, nwProto: 1, ipv4Src: Ip(10, 77, 0, 1), ipv4Dst: Ip(10, 77, 0, 2), arpSha: 0x027700000001);
        FlowWildcards wc = FlowWildcards.From(Masks.L2());
        wc.UnwildcardIpv4Src();
        wc.UnwildcardIpv4Dst();
        wc.UnwildcardArpOp();

        Assert.Equal(
            "recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth(src=02:77:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.77.0.1,tip=10.77.0.2,op=1)",
            FlowFormatter.FormatOdp(key, wc.ToMask()));
    }

    [Fact]
    public void Arp_megaflow_without_arp_fields_omits_the_arp_attribute()
    {
        // netdev-dpctl-dump-flows.txt, second line.
        FlowKey key = FlowKey.Create(1, 0x027700000002, 0x027700000001, 0x0806, nwProto: 2);

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:77:00:00:00:02,dst=02:77:00:00:00:01),eth_type(0x0806)",
            FlowFormatter.FormatOdp(key, Masks.L2()));
    }

    [Fact]
    public void Icmp_proto_match_prints_inside_ipv4()
    {
        // netdev-flows-across-exit.txt: ipv4(proto=1,frag=no)
        FlowKey key = FlowKey.Create(2, 0x027700000001, 0x027700000002, 0x0800, nwProto: 1, tpSrc: 8);
        FlowWildcards wc = FlowWildcards.From(Masks.L2());
        wc.UnwildcardNwProto();

        Assert.Equal(
            "recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth(src=02:77:00:00:00:01,dst=02:77:00:00:00:02),eth_type(0x0800),ipv4(proto=1,frag=no)",
            FlowFormatter.FormatOdp(key, wc.ToMask()));
    }

    [Fact]
    public void Partially_masked_fields_print_as_value_slash_mask()
    {
        FlowKey key = FlowKey.Create(2, 0xdeadbeef0001, MacB, 0x0800, ipv4Src: Ip(10, 0, 0, 7), nwProto: 6, tpDst: 0x1234);
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc(0xffffffff0000);
        wc.UnwildcardDlType();
        wc.UnwildcardIpv4Src(0xffffff00);
        wc.UnwildcardNwFrag();
        wc.UnwildcardNwProto();
        wc.UnwildcardTpDst(0xf000);
        FlowMask mask = wc.ToMask();

        Assert.Equal(
            "recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth(src=de:ad:be:ef:00:00/ff:ff:ff:ff:00:00),eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,proto=6,frag=no),tcp(dst=4096/0xf000)",
            FlowFormatter.FormatOdp(key.Masked(mask), mask));
    }

    [Fact]
    public void Exact_tcp_key_prints_every_l3_and_l4_field()
    {
        // trace-odp-flow.txt input flow.
        FlowKey key = FlowKey.Create(1, MacA, MacB, 0x0800, nwProto: 6, ipv4Src: Ip(10, 0, 0, 1), ipv4Dst: Ip(10, 0, 0, 2), tpSrc: 1234, tpDst: 80, nwTtl: 64);

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=80)",
            FlowFormatter.FormatOdp(key, FlowMask.Exact));
    }

    [Fact]
    public void Tagged_key_prints_vlan_and_encap_as_ovs()
    {
        FlowKey key = FlowKey.Create(1, MacA, MacB, 0x0800, vlanTci: 0x1000 | 10);

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(frag=no))",
            FlowFormatter.FormatOdp(key, Masks.L2()));
    }

    [Fact]
    public void Double_tagged_key_nests_two_encaps()
    {
        FlowKey key = FlowKey.Create(4, MacA, MacB, 0x0806, vlanTci: 0x1000 | (3 << 13) | 100, vlanTci2: 0x1000 | 20);
        FlowWildcards wc = FlowWildcards.From(Masks.L2());
        wc.UnwildcardVlanTci2();

        Assert.Equal(
            "recirc_id(0),in_port(4),packet_type(ns=0,id=0),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x8100),vlan(vid=100,pcp=3),encap(eth_type(0x8100),vlan(vid=20,pcp=0),encap(eth_type(0x0806)))",
            FlowFormatter.FormatOdp(key, wc.ToMask()));
    }

    [Fact]
    public void Only_dl_dst_consulted_prints_eth_with_dst_only()
    {
        FlowKey key = FlowKey.Create(1, MacA, 0x505400000003, 0);
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlDst();
        wc.UnwildcardDlType();

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(dst=50:54:00:00:00:03),eth_type(0x0000)",
            FlowFormatter.FormatOdp(key, wc.ToMask()));
    }

    [Fact]
    public void Ipv6_and_icmpv6_fields_print()
    {
        UInt128 src = UInt128.Parse("42540766411282592856903984951653826561"); // 2001:db8::1
        FlowKey key = FlowKey.Create(1, MacA, MacB, 0x86dd, nwProto: 58, ipv6Src: src, ipv6Dst: src + 1, tpSrc: 135, nwTtl: 255);

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0)",
            FlowFormatter.FormatOdp(key, FlowMask.Exact));
    }

    [Theory]
    [InlineData("50:54:00:00:00:01", 0x505400000001UL)]
    [InlineData("FF:ff:FF:ff:FF:ff", 0xffffffffffffUL)]
    [InlineData("02-77-00-00-00-0a", 0x02770000000aUL)]
    public void Mac_parses_and_formats_round_trip(string text, ulong mac)
    {
        Assert.True(FlowFormatter.TryParseMac(text, out ulong parsed));
        Assert.Equal(mac, parsed);
        Assert.Equal(text.ToLowerInvariant().Replace('-', ':'), FlowFormatter.FormatMac(mac));
    }

    [Theory]
    [InlineData("")]
    [InlineData("50:54:00:00:00")]
    [InlineData("50:54:00:00:00:0g")]
    [InlineData("50:54:00:00:00:011")]
    [InlineData("50.54.00.00.00.01")]
    public void Bad_macs_are_rejected(string text) => Assert.False(FlowFormatter.TryParseMac(text, out _));

    [Fact]
    public void Megaflow_dump_line_matches_ovs_format()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
        var table = new MegaflowTable(10, time);
        FlowKey key = FlowKey.Create(1, MacA, MacB, 0x0800, nwProto: 6, nwTtl: 64);
        Megaflow flow = table.Install(key, Masks.L2(), DatapathActions.OutputTo(2));
        Assert.EndsWith(", packets:0, bytes:0, used:never, actions:2", flow.ToDumpString(1_000_000), StringComparison.Ordinal);

        flow.AddHits(2, 236, 0x012, 1_000_000);

        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(frag=no), packets:2, bytes:236, used:0.518s, flags:S., actions:2",
            flow.ToDumpString(1_000_518));
    }

    [Fact]
    public void Wildcards_build_the_expected_words()
    {
        var wc = default(FlowWildcards);
        Assert.Equal(FlowMask.CatchAll, wc.ToMask());
        wc.UnwildcardInPort();
        wc.UnwildcardVlanTci(0x1fff);
        wc.UnwildcardTpDst();
        FlowMask m = wc.ToMask();

        Assert.Equal(0x1fff_0000_ffffUL, m.Word(0));
        Assert.Equal(0xffffUL << 48, m.Word(3));
        Assert.Equal(0UL, m.Word(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Word(10));
    }

    [Fact]
    public void Key_accessors_follow_the_documented_layout()
    {
        FlowKey k = FlowKey.Create(7, MacA, MacB, 0x0800, vlanTci: 0x1000 | (5 << 13) | 42, nwProto: 17, ipv4Src: 0x0a000001, ipv4Dst: 0x0a000002, tpSrc: 1, tpDst: 2, nwTos: 3, nwTtl: 4, nwFrag: 1);

        Assert.Equal(7UL | (0x0800UL << 16) | ((ulong)(0x1000 | (5 << 13) | 42) << 32), k.Word(0));
        Assert.Equal(MacA, k.Word(1));
        Assert.Equal(17UL | (3UL << 8) | (4UL << 16) | (1UL << 24) | (1UL << 32) | (2UL << 48), k.Word(3));
        Assert.Equal(0x0a000001UL, k.Word(5));
        Assert.Equal(42, k.VlanVid);
        Assert.True(k.HasVlan);
        Assert.Equal(k.WithInPort(9).WithInPort(7), k);
        Assert.NotEqual(k.WithInPort(9), k);
    }
}
