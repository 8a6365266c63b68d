using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Shards;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Datapath;

/// <summary>The persistent datapath actor: supervision, journal failures, recovery into a new process's table.</summary>
public sealed class DatapathActorScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;
    private const ulong Broadcast = 0xffff_ffff_ffff;

    private static void Warm(BridgeScenario s)
    {
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(2, Frames.Arp(H2, H1, 0x0a000002, 0x0a000001));
        s.Settle(flows: 2, packetOuts: 1);
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Settle(flows: 3, packetOuts: 1);
    }

    [Fact]
    public void A_throwing_datapath_actor_is_resumed_with_its_table_and_stats_intact()
    {
        using var s = new BridgeScenario();
        Warm(s);
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1001, 53));
        var flows = s.Datapath.Flows.Snapshot();
        var packets = flows.Sum(f => f.Packets);

        s.EventFilter.Warning(contains: "injected").ExpectOne(() => s.DatapathActor.Tell(new InjectFault("injected by test")));
        Assert.Equal(flows.Select(f => f.Id).Order(), s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
        Assert.Equal(packets, s.Datapath.Flows.Snapshot().Sum(f => f.Packets));

        // Resumed, not restarted: it still installs and journals.
        s.Receive(3, Frames.Arp(0x0200_0000_0003, Broadcast, 0x0a000003, 0x0a000001));
        s.Settle(flows: 4, packetOuts: 1);
        s.AwaitAssert(() => Assert.Equal(4, s.Journal.EventsOf("datapath").OfType<FlowInstalled>().Count()));
    }

    [Fact]
    public async Task With_the_store_unavailable_the_actor_is_stopped_and_restarted_by_backoff_the_table_stays_and_the_journal_catches_up()
    {
        using var s = new BridgeScenario();
        Warm(s);
        s.Journal.ToggleAvailable(false);

        // New installs keep going into the live table while their journal writes fail.
        s.Receive(3, Frames.Arp(0x0200_0000_0003, Broadcast, 0x0a000003, 0x0a000001));
        s.Settle(flows: 4, packetOuts: 1);
        var live = s.Datapath.Flows.Snapshot().Select(f => f.Id).Order().ToList();

        // The failed write stopped the actor; backoff keeps restarting it and recovery keeps failing while the store is down.
        for (var i = 0; i < 20; i++)
        {
            s.Clock.Advance(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(live, s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
        Assert.Equal(4, s.Datapath.Flows.Count);

        s.Journal.ToggleAvailable(true);
        await s.AwaitAssertAsync(() =>
        {
            s.Clock.Advance(TimeSpan.FromMilliseconds(500));
            var snap = s.SnapshotStore.LoadAsync("datapath", SnapshotSelectionCriteria.Latest).Result;
            Assert.NotNull(snap);
            var restored = (DatapathSnapshot)new DatapathEventSerializer().FromBinary(snap.Payload.Span, snap.Manifest);
            Assert.Equal(4, restored.Flows.Count);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(10));

        // The live table was never cleared, and the restarted actor installs again.
        Assert.Equal(live, s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
        s.Receive(1, Frames.Arp(H1, 0x0200_0000_0003, 0x0a000001, 0x0a000003));
        await s.AwaitAssertAsync(() => { Assert.Equal(5, s.Datapath.Flows.Count); return Task.CompletedTask; });
    }

    [Fact]
    public async Task A_new_process_recovers_the_megaflow_table_from_the_journal_before_reading_any_port()
    {
        using var s = new BridgeScenario();
        Warm(s);
        s.AwaitAssert(() => Assert.Equal(3, s.Journal.EventsOf("datapath").OfType<FlowInstalled>().Count()));
        var before = s.Datapath.Flows.Snapshot().Select(f => (FlowFormatter.FormatOdp(f.Key, f.Mask), f.Actions.ToString())).Order().ToList();
        s.Sys.Stop(s.DatapathActor);
        s.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // A second "process": a fresh, empty datapath over the same journal.
        using var dp2 = new Dp(new DatapathOptions(), s.Clock);
        var actor = s.Sys.ActorOf(DatapathActor.Props(dp2, new DatapathPersistenceSettings(), new LiveTableState()), "datapath2");
        var recovered = await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(5));
        Assert.Equal(3, recovered.RestoredFlows);
        Assert.Equal(before, dp2.Flows.Snapshot().Select(f => (FlowFormatter.FormatOdp(f.Key, f.Mask), f.Actions.ToString())).Order());
        Assert.All(dp2.Flows.Snapshot(), f => Assert.Equal("br0", Assert.IsType<MegaflowOwner>(f.Owner).Bridge));

        // Port numbers are part of the journal: the same port names get the same numbers again.
        foreach (var (no, port) in s.Datapath.Ports.OrderBy(p => p.Key))
        {
            var added = await actor.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(new Fabric.Datapath.Ports.MemoryPort(port.Name), 0), TimeSpan.FromSeconds(5));
            Assert.Equal(no, added.PortNo);
        }
    }

    [Fact]
    public async Task Restored_megaflows_are_revalidated_against_the_current_configuration_without_upcalls()
    {
        using var s = new BridgeScenario();
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        Assert.Equal("2,3", Assert.Single(s.Datapath.Flows.Snapshot()).Actions.ToString());
        s.AwaitAssert(() => Assert.Single(s.Journal.EventsOf("datapath").OfType<FlowInstalled>()));
        s.Sys.Stop(s.Bridge);
        s.Sys.Stop(s.DatapathActor);
        s.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // The next start has port 3 in another VLAN: the restored flood megaflow must no longer reach it.
        using var dp2 = new Dp(new DatapathOptions(), s.Clock);
        var actor = s.Sys.ActorOf(DatapathActor.Props(dp2, new DatapathPersistenceSettings(), new LiveTableState()), "datapath2");
        await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(5));
        var ports = s.Settings.Ports.Select(p => p.OfPort == 3 ? p with { Mode = Fabric.Actors.Bridge.VlanMode.Access, Tag = 20 } : p).ToList();
        var settings = s.Settings with { Ports = ports };
        var router = new Fabric.Actors.Upcalls.UpcallRouter();
        var bridge = s.Sys.ActorOf(Fabric.Actors.Bridge.BridgeActor.Props(settings, dp2, actor, router), "br0-next");
        await bridge.Ask<Fabric.Actors.Bridge.BridgeSettings>(new Fabric.Actors.Bridge.BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5));

        // Revalidation sweeps run on the (virtual) revalidator interval; the shards' timers start with them.
        s.AwaitAssert(() =>
        {
            s.Clock.Advance(settings.RevalidateInterval);
            Assert.Equal("2", Assert.Single(dp2.Flows.Snapshot()).Actions.ToString());
        });
        Assert.Equal(0, dp2.Upcalls.Count);
    }

    [Fact]
    public async Task A_snapshot_plus_later_events_recover_and_the_journal_behind_the_snapshot_is_deleted()
    {
        using var s = new BridgeScenario();
        Warm(s);
        var cp = await s.DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Checkpoint(), TimeSpan.FromSeconds(5));
        Assert.Null(cp.Error);
        s.Receive(3, Frames.Arp(0x0200_0000_0003, Broadcast, 0x0a000003, 0x0a000001));
        s.Settle(flows: 4, packetOuts: 1);
        s.AwaitAssert(() => Assert.Single(s.Journal.EventsOf("datapath").OfType<FlowInstalled>()));
        s.Sys.Stop(s.DatapathActor);
        s.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        using var dp2 = new Dp(new DatapathOptions(), s.Clock);
        var actor = s.Sys.ActorOf(DatapathActor.Props(dp2, new DatapathPersistenceSettings(), new LiveTableState()), "datapath2");
        var recovered = await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(5));
        Assert.Equal(4, recovered.RestoredFlows);
    }

    [Fact]
    public async Task Cleanup_deletes_the_flows_and_their_persisted_copy()
    {
        using var s = new BridgeScenario();
        Warm(s);
        var done = await s.DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Cleanup(), TimeSpan.FromSeconds(5));
        Assert.Null(done.Error);
        Assert.Equal(0, s.Datapath.Flows.Count);
        Assert.Empty(s.Journal.EventsOf("datapath").OfType<FlowInstalled>());

        s.Sys.Stop(s.DatapathActor);
        s.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        using var dp2 = new Dp(new DatapathOptions(), s.Clock);
        var actor = s.Sys.ActorOf(DatapathActor.Props(dp2, new DatapathPersistenceSettings(), new LiveTableState()), "datapath2");
        Assert.Equal(0, (await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(5))).RestoredFlows);
    }

    [Fact]
    public async Task A_journal_written_by_schema_v1_is_still_read()
    {
        using var s = new BridgeScenario();
        s.Sys.Stop(s.DatapathActor);
        s.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // FlowInstalled as schema v1 wrote it (key, mask, actions; no owner, no table version):
        // key = in_port 1, dl_src 02:00:00:00:00:01 (W1), dl_dst broadcast (W2), dl_type 0x0806; mask = those fields; actions = output:2, output:3.
        var v1 = Convert.FromHexString(
            "0a50" + "0100060800000000" + "0100000000020000" + "ffffffffffff0000" + string.Concat(Enumerable.Repeat("0000000000000000", 7)) +
            "1250" + "ffffffffffff0000" + "ffffffffffff0000" + "ffffffffffff0000" + string.Concat(Enumerable.Repeat("0000000000000000", 7)) +
            "1a021002" + "1a021003");
        var write = new AtomicWrite([new PersistentRepr("datapath", 1, "fabric.dp.FlowInstalled.v1", v1, DateTime.UtcNow.Ticks, [], "v1-writer")]);
        Assert.Null(Assert.Single(await s.Journal.WriteMessagesAsync([write])));

        using var dp2 = new Dp(new DatapathOptions(), s.Clock);
        var actor = s.Sys.ActorOf(DatapathActor.Props(dp2, new DatapathPersistenceSettings(), new LiveTableState()), "datapath2");
        Assert.Equal(1, (await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(5))).RestoredFlows);
        var flow = Assert.Single(dp2.Flows.Snapshot());
        Assert.Equal("recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806)", FlowFormatter.FormatOdp(flow.Key, flow.Mask));
        Assert.Equal("2,3", flow.Actions.ToString());
        Assert.Null(flow.Owner);
    }
}
