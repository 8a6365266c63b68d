using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Shards;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;

namespace Fabric.Actors.Tests.Shards;

/// <summary>Upcall handling, megaflow installation, revalidation and crash recovery, on virtual time.</summary>
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
        // A broadcast ARP request: NORMAL asks whether it is a gratuitous ARP (OVS is_gratuitous_arp), so the opcode and
        // both addresses are matched too.
        Assert.Equal("recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1)", FlowFormatter.FormatOdp(flow.Key, flow.Mask));
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
    public void A_learned_address_invalidates_only_the_megaflows_that_used_it()
    {
        using var s = new BridgeScenario();

        // Two flooding megaflows: towards H2 and towards a third host H3 that never answers.
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(1, Frames.Udp(H1, 0x0200_0000_0003, 0x0a000001, 0x0a000003, 1000, 53));
        s.Settle(flows: 2, packetOuts: 1);
        var towardsH3 = Assert.Single(s.Datapath.Flows.Snapshot(), f => f.Key.DlDst == 0x0200_0000_0003);

        s.Receive(2, Frames.Udp(H2, H1, 0x0a000002, 0x0a000001, 53, 1000));
        s.AwaitAssert(() => Assert.DoesNotContain(s.Datapath.Flows.Snapshot(), f => f.Key.DlDst == H2 && f.Key.DlSrc == H1));
        Assert.Same(towardsH3, Assert.Single(s.Datapath.Flows.Snapshot(), f => f.Key.DlDst == 0x0200_0000_0003));
        Assert.True(towardsH3.IsLive);
    }

    [Fact]
    public void Idle_megaflows_are_deleted_after_max_idle_on_virtual_time()
    {
        using var s = new BridgeScenario();
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);

        s.AdvanceInSteps(TimeSpan.FromSeconds(9), TimeSpan.FromMilliseconds(500));
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002)); // used at t = 9 s
        s.AdvanceInSteps(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500)); // idle 5 s < 10 s
        var shard = CountersOf(s, 0).IdleDeleted + CountersOf(s, 1).IdleDeleted;
        Assert.Equal(0, shard);
        Assert.Equal(1, s.Datapath.Flows.Count);

        s.AdvanceInSteps(TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(500));
        s.AwaitAssert(() => Assert.Equal(0, s.Datapath.Flows.Count));
        Assert.Equal(1, CountersOf(s, 0).IdleDeleted + CountersOf(s, 1).IdleDeleted);
    }

    [Fact]
    public void A_crashing_shard_is_restarted_and_the_megaflow_table_and_its_stats_carry_on()
    {
        using var s = new BridgeScenario(shards: 1);
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        var flow = Assert.Single(s.Datapath.Flows.Snapshot());
        var shard = Shard(s, 0);

        s.EventFilter.Exception<InjectedFailureException>().ExpectOne(() => shard.Tell(new InjectFault("test")));
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
        var flows = s.Datapath.Flows.Snapshot();

        s.EventFilter.Exception<InjectedFailureException>().ExpectOne(() => s.Bridge.Tell(new InjectFault("test")));
        var fdb = await s.Bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5));
        Assert.Contains(fdb.Entries, e => e.Mac == H1 && e.OfPort == 1);
        Assert.Contains(fdb.Entries, e => e.Mac == H2 && e.OfPort == 2);
        Assert.Equal(flows.Select(f => f.Id).Order(), s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
    }

    [Fact]
    public async Task Mac_entries_age_out_on_virtual_time_and_take_their_megaflows_with_them()
    {
        using var s = new BridgeScenario();
        s.Receive(2, Frames.Arp(H2, Broadcast, 0x0a000002, 0x0a000001));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Settle(flows: 2, packetOuts: 1);
        Assert.Equal(2, (await Fdb(s)).Entries.Count);

        // Keep H1 → H2 busy for 10 minutes: H1 stays learned (its megaflow carries traffic), H2 sends nothing and ages out at 300 s.
        for (var i = 0; i < 600; i++)
        {
            s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
            await s.StepAsync(TimeSpan.FromSeconds(1));
        }

        await s.AwaitAssertAsync(async () =>
        {
            var fdb = await Fdb(s);
            Assert.DoesNotContain(fdb.Entries, e => e.Mac == H2);
            Assert.Contains(fdb.Entries, e => e.Mac == H1 && e.OfPort == 1);
            Assert.DoesNotContain(s.Datapath.Flows.Snapshot(), f => f.Key.DlSrc == H2);
        });
    }

    [Fact]
    public async Task Duplicate_upcalls_of_a_pending_install_are_executed_but_neither_translated_nor_journaled_again()
    {
        using var s = new BridgeScenario(shards: 1);
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        s.TakeSent(2);
        s.TakeSent(3);

        // Three copies of a frame towards H1 (already learned) miss while the datapath actor is busy, so the first
        // one's install is still pending when the shard sees the other two.
        var frame = Frames.Udp(H2, H1, 0x0a000002, 0x0a000001, 53, 1000);
        await s.HoldDatapathActorAsync(async () =>
        {
            // H2 is new: its first frame goes through the bridge to be learned; the copies wait behind it.
            for (var i = 0; i < 3; i++)
            {
                s.Ports[1].Inject(frame);
            }

            s.Datapath.RunOnce();
            var routed = 0;
            while (s.Datapath.Upcalls.TryDequeue(out var upcall))
            {
                Assert.True(s.Router.Route(upcall));
                routed++;
            }

            Assert.Equal(3, routed);
            await s.AwaitAssertAsync(() => Assert.Equal(4, CountersOf(s, 0).Upcalls));
        });

        s.Settle(flows: 2, packetOuts: 3);
        Assert.Equal(2, CountersOf(s, 0).Duplicates);

        // The two copies were executed by the shard at once, the first packet by the datapath actor with its install.
        Assert.Equal(3, s.TakeSent(1));
        s.AwaitAssert(() => Assert.Equal(2, s.EventsOf().OfType<FlowBatch>().Sum(b => b.Changes.Count(c => c.Installed is not null))));
    }

    [Fact]
    public async Task When_the_slow_path_cannot_keep_up_upcalls_are_dropped_and_counted_as_lost_not_queued_without_limit()
    {
        using var s = new BridgeScenario(shards: 1);

        // Hold the datapath actor: a port-numbering event is persisted with Persist, which stashes every later
        // command until the journal confirms it, and the journal write waits for the gate.
        var gate = new JournalGate();
        await s.Journal.OnWrite.SetInterceptorAsync(gate);
        s.DatapathActor.Tell(new DatapathProtocol.AddPort(new Fabric.Datapath.Ports.MemoryPort("p4"), 0));
        await gate.Entered;

        const int upcalls = 3000;
        var accepted = 0;
        for (var i = 0; i < upcalls; i++)
        {
            var key = FlowKey.Create(1, 0x0200_0001_0000UL + (ulong)i, Broadcast, 0x0806);
            if (s.Router.Route(new Fabric.Datapath.Forwarding.Upcall(1, key, Frames.Arp(0x0200_0001_0000UL + (ulong)i, Broadcast, 1, 2), 0)))
            {
                accepted++;
            }
        }

        // The shard stops at its limit of pending installs; its inbox holds the next ones; the rest is lost.
        var bound = FlowTableShardActor.MaxPendingInstalls + BridgeActor.ShardInboxCapacity;
        Assert.InRange(accepted, BridgeActor.ShardInboxCapacity, bound);
        Assert.Equal(upcalls - accepted, s.Router.Lost);
        Assert.Equal(0, s.Datapath.Flows.Count);

        // Once the datapath actor goes on, every accepted upcall is installed.
        gate.Open();
        await s.Journal.OnWrite.Pass();
        s.AwaitAssert(() => Assert.Equal(accepted, s.Datapath.Flows.Count), TimeSpan.FromSeconds(20));
        Assert.Equal(accepted, CountersOf(s, 0).Upcalls);
    }

    [Fact]
    public void Each_shard_revalidates_exactly_its_own_slice()
    {
        using var s = new BridgeScenario(shards: 2);
        for (var i = 0; i < 40; i++)
        {
            s.Receive(1 + (i % 3), Frames.Arp(0x0200_0000_1000UL + (ulong)i, Broadcast, 1, 2));
        }

        s.AwaitAssert(() => Assert.Equal(40, s.Datapath.Flows.Count));
        s.Advance(s.Settings.RevalidateInterval);
        s.AwaitAssert(() => Assert.Equal(40, CountersOf(s, 0).Keys + CountersOf(s, 1).Keys));
        var expected0 = s.Datapath.Flows.Snapshot().Count(f => FlowSlice.Of(f.Key) % 2 == 0);
        Assert.Equal(expected0, CountersOf(s, 0).Keys);
        Assert.Equal(40 - expected0, CountersOf(s, 1).Keys);
        Assert.InRange(expected0, 1, 39);
    }

    [Fact]
    public void The_slice_of_a_flow_is_the_same_in_every_process()
    {
        // Fixed values: a hash with a per-process seed (HashCode.Combine) gives other values in every run.
        Assert.Equal(FlowSlice.Of(1, H1, Broadcast), FlowSlice.Of(FlowKey.Create(1, H1, Broadcast, 0x0806)));
        Assert.Equal(new[] { 54, 35, 21, 33 }, new[] { FlowSlice.Of(1, H1, Broadcast), FlowSlice.Of(2, H2, H1), FlowSlice.Of(3, H1, H2), FlowSlice.Of(65279, 0, 0) });
    }

    private static Task<BridgeProtocol.Fdb> Fdb(BridgeScenario s) => s.Bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5));

    private static IActorRef Shard(BridgeScenario s, int index) =>
        s.Sys.ActorSelection($"/user/br0/shard-{index}").ResolveOne(TimeSpan.FromSeconds(5)).Result;

    private static ShardProtocol.ShardCounters CountersOf(BridgeScenario s, int index) =>
        Shard(s, index).Ask<ShardProtocol.ShardCounters>(new ShardProtocol.GetCounters(), TimeSpan.FromSeconds(5)).Result;
}
