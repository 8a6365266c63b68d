using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Shards;
using Fabric.Actors.Tests.Support;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Flows;
using static Fabric.Actors.Tests.Datapath.DatapathActorScenarioTests;

namespace Fabric.Actors.Tests.Datapath;

/// <summary>
/// The datapath actor's journal and snapshot scenarios — recovery into a new process's table, snapshots and
/// compaction, cleanup, an older schema's rows, adoption of restored flows — run against every store a node can
/// use: the in-memory TestJournal, a SQLite file and PostgreSQL (Akka.Persistence.Sql).
/// </summary>
public abstract class DatapathJournalScenarios
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong Broadcast = 0xffff_ffff_ffff;

    /// <summary>
    /// FlowInstalled as schema v1 wrote it (key, mask, actions; no owner, no table version): key = in_port 1,
    /// dl_src 02:00:00:00:00:01 (W1), dl_dst broadcast (W2), dl_type 0x0806; mask = those fields; actions = output:2, output:3.
    /// </summary>
    protected static readonly byte[] V1FlowInstalled = Convert.FromHexString(
        "0a50" + "0100060800000000" + "0100000000020000" + "ffffffffffff0000" + string.Concat(Enumerable.Repeat("0000000000000000", 7)) +
        "1250" + "ffffffffffff0000" + "ffffffffffff0000" + "ffffffffffff0000" + string.Concat(Enumerable.Repeat("0000000000000000", 7)) +
        "1a021002" + "1a021003");

    /// <summary>A fresh, empty store for one scenario.</summary>
    protected abstract ScenarioStore NewStore();


    [Fact]
    public async Task Bond_maps_are_journaled_with_the_flows_and_restored_from_events_and_from_a_snapshot()
    {
        using var s = new BridgeScenario(store: NewStore());
        var outputs = Enumerable.Range(0, 256).Select(b => (ushort)(b % 2 == 0 ? 2 : 3)).ToArray();
        var set = new DatapathProtocol.SetBond(4, "bond0", Fabric.Datapath.Bonds.BondMode.BalanceSlb, outputs, 2,
            [new Fabric.Datapath.Bonds.BondMember(2, true, true), new Fabric.Datapath.Bonds.BondMember(3, true, false)], Fabric.Datapath.Bonds.BondInputRule.Slb, true);
        await s.DatapathActor.Ask<DatapathProtocol.BondSet>(set, TimeSpan.FromSeconds(5));
        s.AwaitAssert(() => Assert.Contains(s.EventsOf(), e => e is FlowBatch b && b.Changes.Any(c => c.Bond is { BondId: 4 })));
        s.StopDatapathActor();

        // From the events.
        var (actor, dp2, _) = s.StartSecondProcess();
        using var _ = dp2;
        AssertSame(dp2.Bonds.Get(4));

        // From a snapshot, after a failover moved every bucket to port 3.
        var failover = set with { Outputs = Enumerable.Repeat((ushort)3, 256).ToArray(), ActiveMember = 3 };
        await actor.Ask<DatapathProtocol.BondSet>(failover, TimeSpan.FromSeconds(5));
        var cp = await actor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Checkpoint(), TimeSpan.FromSeconds(10));
        Assert.Null(cp.Error);
        Assert.Contains(Assert.IsType<DatapathSnapshot>(s.LatestSnapshot()!.Snapshot).Bonds, b => b.BondId == 4 && b.ActiveMember == 3);
        s.StopActor(actor);
        var (_, dp3, _) = s.StartSecondProcess("datapath3");
        using var __ = dp3;
        var restored = dp3.Bonds.Get(4)!;
        Assert.Equal(3, restored.ActiveMember);
        Assert.True(restored.Outputs.ToArray().All(p => p == 3));

        static void AssertSame(Fabric.Datapath.Bonds.BondMap? m)
        {
            Assert.NotNull(m);
            Assert.Equal("bond0", m.Name);
            Assert.Equal(Fabric.Datapath.Bonds.BondMode.BalanceSlb, m.Mode);
            Assert.Equal(2, m.ActiveMember);
            Assert.Equal(2, m.OutputOf(0));
            Assert.Equal(3, m.OutputOf(255));
            Assert.Equal([new Fabric.Datapath.Bonds.BondMember(2, true, true), new Fabric.Datapath.Bonds.BondMember(3, true, false)], m.Members);
            Assert.Equal(Fabric.Datapath.Bonds.BondInputRule.Slb, m.InputRule);
            Assert.True(m.AllMembersActive);
        }
    }

    [Fact]
    public async Task A_new_process_recovers_the_megaflow_table_from_the_journal_before_reading_any_port()
    {
        using var s = new BridgeScenario(store: NewStore());
        Warm(s);
        s.AwaitAssert(() => Assert.Equal(3, InstalledIn(s.EventsOf())));
        var before = Dump(s.Datapath);
        s.StopDatapathActor();

        var (actor, dp2, recovered) = s.StartSecondProcess();
        using var _ = dp2;
        Assert.Equal(3, recovered.RestoredFlows);
        Assert.Equal(before, Dump(dp2));
        Assert.All(dp2.Flows.Snapshot(), f => Assert.Equal("br0", Assert.IsType<MegaflowOwner>(f.Owner).Bridge));

        // Port numbers are journaled: the same names get the same numbers again, whatever order they come in.
        var added = await actor.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(new Fabric.Datapath.Ports.MemoryPort("q9"), 7), TimeSpan.FromSeconds(5));
        Assert.Equal(7, added.PortNo);
        s.StopActor(actor);
        var (actor3, dp3, _) = s.StartSecondProcess("datapath3");
        using var __ = dp3;
        Assert.Equal(7, (await actor3.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(new Fabric.Datapath.Ports.MemoryPort("q9"), 0), TimeSpan.FromSeconds(5))).PortNo);
    }

    [Fact]
    public async Task Restored_megaflows_are_revalidated_against_the_current_configuration_without_upcalls()
    {
        using var s = new BridgeScenario(store: NewStore());
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        Assert.Equal("2,3", Assert.Single(s.Datapath.Flows.Snapshot()).Actions.ToString());
        s.AwaitAssert(() => Assert.Equal(1, InstalledIn(s.EventsOf())));
        s.StopActor(s.Bridge);
        s.StopDatapathActor();

        // The next start has port 3 in another VLAN: the restored flood megaflow must no longer reach it.
        var (actor, dp2, _) = s.StartSecondProcess();
        using var _ = dp2;
        var bridge = StartBridge(s, actor, dp2, s.Settings with { Ports = s.Settings.Ports.Select(p => p.OfPort == 3 ? p with { Mode = VlanMode.Access, Tag = 20 } : p).ToList() });
        try
        {
            s.AwaitAssert(() =>
            {
                s.Advance(s.Settings.RevalidateInterval);
                Assert.Equal("2", Assert.Single(dp2.Flows.Snapshot()).Actions.ToString());
            });
        }
        catch (Exception e)
        {
            // Seen once in CI, not reproduced: say whether the shards swept the restored flow and asked for the modify.
            var shards = new List<ShardProtocol.ShardCounters>();
            for (var i = 0; i < s.Settings.Shards; i++)
            {
                shards.Add(await s.Sys.ActorSelection($"/user/br0-next/shard-{i}").Ask<ShardProtocol.ShardCounters>(new ShardProtocol.GetCounters(), TimeSpan.FromSeconds(5)));
            }

            var alive = (await actor.Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(5))).Subject is not null;
            throw new Xunit.Sdk.XunitException($"{e.Message}; shards: {string.Join("; ", shards)}; datapath actor alive: {alive}");
        }

        Assert.Equal(0, dp2.Upcalls.Count);
        Assert.NotNull(bridge);
    }

    [Fact]
    public async Task Restored_flows_of_another_shard_count_and_bridge_name_are_adopted_revalidated_and_idle_expired()
    {
        using var s = new BridgeScenario(shards: 2, store: NewStore());
        Warm(s);
        s.AwaitAssert(() => Assert.Equal(3, InstalledIn(s.EventsOf())));
        s.StopActor(s.Bridge);
        s.StopDatapathActor();

        // The next start has one shard and calls the bridge "brx": every restored flow still belongs to a shard.
        var (actor, dp2, _) = s.StartSecondProcess();
        using var _ = dp2;
        StartBridge(s, actor, dp2, s.Settings with { Name = "brx", Shards = 1 }, "brx");
        var shard = await s.Sys.ActorSelection("/user/brx/shard-0").ResolveOne(TimeSpan.FromSeconds(5));
        await s.AwaitAssertAsync(async () =>
        {
            s.Advance(s.Settings.RevalidateInterval);
            Assert.Equal(3, (await shard.Ask<ShardProtocol.ShardCounters>(new ShardProtocol.GetCounters(), TimeSpan.FromSeconds(5))).Keys);
        });

        // Nothing uses them: they go after max-idle, as any flow of the shard would.
        s.AdvanceInSteps(s.Settings.MaxIdle + TimeSpan.FromSeconds(1), s.Settings.RevalidateInterval);
        s.AwaitAssert(() => Assert.Equal(0, dp2.Flows.Count));
    }

    [Fact]
    public async Task A_snapshot_plus_later_events_recover_with_statistics_and_the_journal_behind_the_snapshot_is_deleted()
    {
        using var s = new BridgeScenario(store: NewStore());
        Warm(s);
        s.Receive(1, Frames.Udp(H1, 0x0200_0000_0002, 0x0a000001, 0x0a000002, 1001, 53));
        var cp = await s.DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Checkpoint(), TimeSpan.FromSeconds(10));
        Assert.Null(cp.Error);
        s.Receive(3, Frames.Arp(0x0200_0000_0003, Broadcast, 0x0a000003, 0x0a000001));
        s.Settle(flows: 4, packetOuts: 1);
        s.AwaitAssert(() => Assert.Equal(1, InstalledIn(s.EventsOf())));
        var packets = s.Datapath.Flows.Snapshot().Sum(f => f.Packets);
        Assert.True(packets > 0);
        s.StopDatapathActor();

        var (_, dp2, recovered) = s.StartSecondProcess();
        using var _ = dp2;
        Assert.Equal(4, recovered.RestoredFlows);
        Assert.Equal(packets, dp2.Flows.Snapshot().Sum(f => f.Packets));
    }

    [Fact]
    public async Task Cleanup_deletes_the_flows_and_their_persisted_copy()
    {
        using var s = new BridgeScenario(store: NewStore());
        Warm(s);
        var done = await s.DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Cleanup(), TimeSpan.FromSeconds(10));
        Assert.Null(done.Error);
        Assert.Equal(0, s.Datapath.Flows.Count);
        Assert.Equal(0, InstalledIn(s.EventsOf()));
        s.StopDatapathActor();

        var (_, dp2, recovered) = s.StartSecondProcess();
        using var _ = dp2;
        Assert.Equal(0, recovered.RestoredFlows);
    }

    [Fact]
    public async Task A_journal_written_by_schema_v1_is_still_read()
    {
        var store = NewStore();
        using var s = new BridgeScenario(store: store);
        s.StopDatapathActor();
        await store.WriteRowAsync(s, "datapath", 1, V1FlowInstalled, "fabric.dp.FlowInstalled.v1");

        var (_, dp2, recovered) = s.StartSecondProcess();
        using var _ = dp2;
        Assert.Equal(1, recovered.RestoredFlows);
        var flow = Assert.Single(dp2.Flows.Snapshot());
        Assert.Equal("recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806)", FlowFormatter.FormatOdp(flow.Key, flow.Mask));
        Assert.Equal("2,3", flow.Actions.ToString());
        Assert.Null(flow.Owner);
    }

    private static List<(string, string)> Dump(Fabric.Datapath.Forwarding.Datapath dp) =>
        dp.Flows.Snapshot().Select(f => (FlowFormatter.FormatOdp(f.Key, f.Mask), f.Actions.ToString())).Order().ToList();

    private static IActorRef StartBridge(BridgeScenario s, IActorRef datapathActor, Fabric.Datapath.Forwarding.Datapath dp, BridgeSettings settings, string name = "br0-next")
    {
        var bridge = s.Sys.ActorOf(BridgeActor.Props(settings, dp, datapathActor, new UpcallRouter()), name);
        bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5)).Wait();
        return bridge;
    }
}
