namespace Fabric.Integration.Tests.Ovs;

/// <summary>
/// <see cref="OvsTrace"/> on ofproto/trace output as Debian's OVS 3.1 prints it (no OVS needed): taken from real traces, the
/// recirculated one with a nested <c>set(eth(…))</c> action added to exercise the splitting.
/// </summary>
public sealed class OvsTraceTests
{
    private const string Flooded = """
        Flow: ip,in_port=1,vlan_tci=0x0000,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,nw_src=0.0.0.0,nw_dst=0.0.0.0,nw_proto=0,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no

        bridge("br0")
        -------------
         0. priority 0
            NORMAL
             -> no learned MAC for destination, flooding

        Final flow: unchanged
        Megaflow: recirc_id=0,eth,ip,in_port=1,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,nw_frag=no
        Datapath actions: 100,2,4
        """;

    private const string Recirculated = """
        Flow: ip,in_port=1,vlan_tci=0x0000,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=1.1.1.1,nw_dst=1.1.1.2,nw_proto=0,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no

        bridge("tb0")
        -------------
         0. ip, priority 10
            ct(table=1)
            drop
             -> A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table 1.

        Final flow: unchanged
        Megaflow: recirc_id=0,eth,ip,in_port=1,nw_frag=no
        Datapath actions: ct,recirc(0x1)

        ===============================================================================
        recirc(0x1) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)
        ===============================================================================

        Flow: recirc_id=0x1,ct_state=new|trk,eth,ip,in_port=1,vlan_tci=0x0000,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=1.1.1.1,nw_dst=1.1.1.2,nw_proto=0,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no

        bridge("tb0")
        -------------
            thaw
                Resuming from table 1
         1. priority 32768
            mod_vlan_vid:10
            output:2

        Final flow: recirc_id=0x1,ct_state=new|trk,eth,ip,in_port=1,dl_vlan=10,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=1.1.1.1,nw_dst=1.1.1.2,nw_proto=0,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no
        Megaflow: recirc_id=0x1,eth,ip,in_port=1,dl_vlan=0,nw_frag=no
        Datapath actions: push_vlan(vid=10,pcp=0),set(eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b)),3
        """;

    [Fact]
    public void A_single_pass_trace_gives_its_megaflow_fields_and_output_ports()
    {
        var t = OvsTrace.Parse(Flooded);
        Assert.Single(t.Passes);
        Assert.Equal("recirc_id=0,eth,ip,in_port=1,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,nw_frag=no", t.Megaflow);
        Assert.Equal("100,2,4", t.DatapathActions);
        Assert.Equal("unchanged", t.Passes[0].FinalFlow);
        Assert.StartsWith("ip,in_port=1,", t.Passes[0].Flow);
        Assert.Equal("", t.MegaflowFields["ip"]);
        Assert.Equal("ff:ff:ff:ff:ff:ff", t.MegaflowFields["dl_dst"]);
        Assert.Equal([100, 2, 4], t.OutputPorts);
    }

    [Fact]
    public void A_recirculating_trace_has_a_pass_per_recirculation_and_nested_actions_stay_whole()
    {
        var t = OvsTrace.Parse(Recirculated);
        Assert.Equal(2, t.Passes.Count);
        Assert.Equal(["ct", "recirc(0x1)"], t.Actions);
        Assert.Empty(t.OutputPorts);
        var resumed = t.Passes[1];
        Assert.Equal("0x1", resumed.MegaflowFields["recirc_id"]);
        Assert.Equal(["push_vlan(vid=10,pcp=0)", "set(eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b))", "3"], resumed.Actions);
        Assert.Equal([3], resumed.OutputPorts);
    }

    [Fact]
    public void Drop_has_no_actions_and_output_without_a_megaflow_is_rejected()
    {
        var drop = OvsTrace.Parse("Flow: arp,in_port=1\n\nFinal flow: unchanged\nMegaflow: recirc_id=0,eth,arp,in_port=1\nDatapath actions: drop\n");
        Assert.Equal("drop", drop.DatapathActions);
        Assert.Empty(drop.Actions);
        Assert.Throws<FormatException>(() => OvsTrace.Parse("Bad openflow flow syntax: in_port=p9"));
        Assert.Throws<FormatException>(() => OvsTrace.Parse("Datapath actions: 1\n"));
    }
}
