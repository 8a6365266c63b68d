using Fabric.Actors.Bridge;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Shards;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Flows;
using Fabric.Kernel.Actor;

namespace Fabric.Actors.Tests.Shards;

/// <summary>Upcall handling, megaflow installation, revalidation and crash recovery, on a virtual clock.</summary>
public sealed class FlowTableShardScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;
    private const ulong Broadcast = 0xffff_ffff_ffff;

    [Fact]
    public void An_upcall_installs_a_normal_megaflow_and_the_missed_packet_is_flooded()
    {
        using var s = new BridgeScenario();
        Assert.Equal(1, s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002)));
        s.Settle(flows: 1, packetOuts: 1);
        Assert.Equal((0, 1, 1), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));

        var flow = Assert.Single(s.Datapath.Flows.Snapshot());
        Assert.Equal("recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806)", FlowFormatter.FormatOdp(flow.Key, flow.Mask));
        Assert.Equal("2,3", flow.Actions.ToString());

        // The next identical frame is forwarded by the datapath alone: no upcall.
        Assert.Equal(0, s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002)));
        Assert.Equal((1, 1), (s.TakeSent(2), s.TakeSent(3)));
        Assert.Equal(1, flow.Packets);
    }

    [Fact]
    public void Udp_flows_with_different_ports_share_one_megaflow()
    {
        using var s = new BridgeScenario();
        s.Receive(2, Frames.Arp(H2, Broadcast, 0x0a000002, 0x0a000001));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Settle(flows: 2, packetOuts: 1);
        for (ushort port = 1001; port < 1011; port++)
        {
            Assert.Equal(0, s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, port, 53)));
        }

        Assert.Equal(11, s.TakeSent(2));
        Assert.Equal(1, s.TakeSent(3)); // only the ARP broadcast reached port 3
    }

    [Fact]
    public void Learning_the_destination_replaces_a_flooding_megaflow()
    {
        using var s = new BridgeScenario();
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Settle(flows: 1, packetOuts: 1);
        Assert.Equal("2,3", Assert.Single(s.Datapath.Flows.Snapshot()).Actions.ToString());

        s.Receive(2, Frames.Udp(H2, H1, 0x0a000002, 0x0a000001, 53, 1000));
        s.AwaitAssert(() =>
        {
            var flows = s.Datapath.Flows.Snapshot();
            Assert.DoesNotContain(flows, f => f.Key.DlDst == H2 && f.Actions.ToString() == "2,3");
            Assert.Contains(flows, f => f.Key.DlSrc == H2 && f.Actions.ToString() == "1");
        });
    }

    [Fact]
    public void Idle_megaflows_are_deleted_after_max_idle_on_the_virtual_clock()
    {
        using var s = new BridgeScenario();
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);

        s.Clock.Advance(TimeSpan.FromSeconds(9));
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002)); // used at t = 9 s
        s.Clock.Advance(TimeSpan.FromSeconds(5));                        // idle 5 s < 10 s
        s.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, s.Datapath.Flows.Count);

        for (var i = 0; i < 12; i++)
        {
            s.Clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        s.AwaitAssert(() => Assert.Equal(0, s.Datapath.Flows.Count));
    }

    [Fact]
    public void A_crashing_shard_is_restarted_and_the_megaflow_table_and_its_stats_carry_on()
    {
        using var s = new BridgeScenario(shards: 1);
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        var flow = Assert.Single(s.Datapath.Flows.Snapshot());
        var shard = s.Sys.ResolveActorRef("/user/br0/shard-0");
        Assert.NotNull(shard);

        s.EventFilter.Exception<InjectedFailureException>().ExpectOne(() => shard!.Tell(new InjectFault("test")));
        Assert.Same(flow, Assert.Single(s.Datapath.Flows.Snapshot()));
        Assert.Equal(1, flow.Packets);

        // The restarted shard (same ref) still handles upcalls.
        s.Receive(2, Frames.Arp(H2, H1, 0x0a000002, 0x0a000001));
        s.Settle(flows: 2, packetOuts: 1);
        Assert.Equal(1, s.TakeSent(1));
    }

    [Fact]
    public async Task A_restarted_bridge_relearns_its_mac_table_from_the_installed_megaflows()
    {
        using var s = new BridgeScenario();
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(2, Frames.Arp(H2, H1, 0x0a000002, 0x0a000001));
        s.Settle(flows: 2, packetOuts: 1);

        s.EventFilter.Exception<InjectedFailureException>().ExpectOne(() => s.Bridge.Tell(new InjectFault("test")));
        var fdb = await s.Bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5));
        Assert.Contains(fdb.Entries, e => e.Mac == H1 && e.OfPort == 1);
        Assert.Contains(fdb.Entries, e => e.Mac == H2 && e.OfPort == 2);
        Assert.Equal(2, s.Datapath.Flows.Count);
    }
}
