using Akka.Actor;
using Akka.Persistence;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using MegaflowOwner = Fabric.Actors.Shards.MegaflowOwner;

namespace Fabric.Actors.Tests.Datapath;

/// <summary>
/// The persistent datapath actor under its backoff supervisor, with journal faults from Akka.Persistence.TestKit:
/// resumption, journal outages, batching of flow changes into few events, and the cleanup protocol.
/// </summary>
public sealed class DatapathActorScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;
    private const ulong Broadcast = 0xffff_ffff_ffff;

    internal static void Warm(BridgeScenario s)
    {
        s.Receive(1, Frames.Arp(H1, Broadcast, 0x0a000001, 0x0a000002));
        s.Settle(flows: 1, packetOuts: 1);
        s.Receive(2, Frames.Arp(H2, H1, 0x0a000002, 0x0a000001));
        s.Settle(flows: 2, packetOuts: 1);
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Settle(flows: 3, packetOuts: 1);
    }

    internal static int InstalledIn(IEnumerable<object> events) =>
        events.OfType<FlowBatch>().Sum(b => b.Changes.Count(c => c.Installed is not null));

    [Fact]
    public void A_throwing_datapath_actor_is_resumed_with_its_table_and_stats_intact()
    {
        using var s = new BridgeScenario();
        Warm(s);
        s.Receive(1, Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1001, 53));
        var flows = s.Datapath.Flows.Snapshot();
        var packets = flows.Sum(f => f.Packets);

        s.EventFilter.Warning(contains: "injected by test").ExpectOne(() => s.DatapathActor.Tell(new InjectFault("injected by test")));
        Assert.Equal(flows.Select(f => f.Id).Order(), s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
        Assert.Equal(packets, s.Datapath.Flows.Snapshot().Sum(f => f.Packets));

        // Resumed, not restarted: the same incarnation still installs and journals.
        s.Receive(3, Frames.Arp(0x0200_0000_0003, Broadcast, 0x0a000003, 0x0a000001));
        s.Settle(flows: 4, packetOuts: 1);
        s.AwaitAssert(() => Assert.Equal(4, InstalledIn(s.EventsOf())));
        Assert.Equal(0, s.Live.WriteFailures);
    }

    [Fact]
    public async Task With_the_journal_down_the_actor_is_stopped_and_restarted_by_backoff_the_table_stays_and_the_journal_catches_up()
    {
        using var s = new BridgeScenario();
        Warm(s);
        s.AwaitAssert(() => Assert.Equal(3, InstalledIn(s.EventsOf())));
        await s.Journal.OnWrite.Fail();
        await s.Journal.OnRecovery.Fail();

        // The install goes into the live table; its journal write fails and Akka.Persistence stops the actor.
        s.Receive(3, Frames.Arp(0x0200_0000_0003, Broadcast, 0x0a000003, 0x0a000001));
        s.Settle(flows: 4, packetOuts: 1);
        s.AwaitAssert(() => Assert.Equal(1, s.Live.WriteFailures));
        var live = s.Datapath.Flows.Snapshot().Select(f => f.Id).Order().ToList();

        // Backoff keeps starting new incarnations on virtual time; their recovery fails while the journal is down.
        s.AdvanceInSteps(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(250));
        Assert.Equal(live, s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
        Assert.Null(s.LatestSnapshot());

        await s.Journal.OnWrite.Pass();
        await s.Journal.OnRecovery.Pass();
        s.AwaitAssert(
            () =>
            {
                s.Advance(TimeSpan.FromMilliseconds(500));
                var snap = s.LatestSnapshot();
                Assert.NotNull(snap);
                Assert.Equal(4, ((DatapathSnapshot)snap.Snapshot).States.Count);
            },
            TimeSpan.FromSeconds(15));

        // The live table was never cleared, and the new incarnation installs again.
        Assert.Equal(live, s.Datapath.Flows.Snapshot().Select(f => f.Id).Order());
        s.Receive(1, Frames.Arp(H1, 0x0200_0000_0003, 0x0a000001, 0x0a000003));
        s.AwaitAssert(() => Assert.Equal(5, s.Datapath.Flows.Count));
    }

    [Fact]
    public async Task A_burst_of_installs_is_journaled_as_one_event_not_one_per_flow()
    {
        using var s = new BridgeScenario();
        await s.HoldDatapathActorAsync(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                s.DatapathActor.Tell(Install((ulong)i));
            }

            await Task.CompletedTask;
        });

        s.AwaitAssert(() => Assert.Equal(200, s.Datapath.Flows.Count));
        s.AwaitAssert(() =>
        {
            // Everything waiting in the mailbox goes into one event; Akka hands the stashed installs back in a few
            // groups, so a few events, never one per flow.
            var batches = s.EventsOf().OfType<FlowBatch>().ToList();
            Assert.Equal(200, batches.Sum(b => b.Changes.Count));
            Assert.InRange(batches.Count, 1, 5);
        });
    }

    [Fact]
    public async Task A_batch_larger_than_the_event_limit_is_split()
    {
        using var s = new BridgeScenario(persistence: new DatapathPersistenceSettings { MaxChangesPerEvent = 50 });
        await s.HoldDatapathActorAsync(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                s.DatapathActor.Tell(Install((ulong)i));
            }

            return Task.CompletedTask;
        });

        s.AwaitAssert(() =>
        {
            var sizes = s.EventsOf().OfType<FlowBatch>().Select(b => b.Changes.Count).ToList();
            Assert.Equal(200, sizes.Sum());
            Assert.All(sizes, n => Assert.InRange(n, 1, 50));
            Assert.InRange(sizes.Count(n => n == 50), 2, 4);
        });
    }

    [Fact]
    public async Task Reinstalling_an_identical_megaflow_changes_and_journals_nothing()
    {
        using var s = new BridgeScenario();
        var done1 = await s.DatapathActor.Ask<DatapathProtocol.InstallDone>(Install(1), TimeSpan.FromSeconds(5));
        var done2 = await s.DatapathActor.Ask<DatapathProtocol.InstallDone>(Install(1), TimeSpan.FromSeconds(5));
        Assert.True(done1.Installed && done2.Installed);
        Assert.Equal(done1.Match, done2.Match);
        var counters = await s.DatapathActor.Ask<DatapathProtocol.DatapathCounters>(new DatapathProtocol.GetCounters(), TimeSpan.FromSeconds(5));
        Assert.Equal(1, counters.Installed);
        s.AwaitAssert(() => Assert.Equal(1, InstalledIn(s.EventsOf())));
    }

    [Fact]
    public async Task A_flood_translated_before_its_destination_was_learned_is_executed_but_not_installed_once_the_learning_has_invalidated()
    {
        using var s = new BridgeScenario();
        // brX learned H2 at MAC table version 5 (epoch 7); flows of brX enter on datapath port 1.
        s.DatapathActor.Tell(new DatapathProtocol.InvalidateMacs([1], [new MacInvalidation(0, H2, Source: false)], "brX", Epoch: 7, Version: 5));

        // A flood towards H2 translated at version 4 arrives after that invalidation: it is stale.
        var stale = await AskInstall(s, H1, H2, new MegaflowOwner("brX", 0, 7, 4, Flooded: true));
        Assert.False(stale.Installed);
        // The same flood translated at version 5 knew H2 already (it would not flood, but the stamp is what is judged).
        Assert.True((await AskInstall(s, 0x0200_0000_0008, H2, new MegaflowOwner("brX", 0, 7, 5, Flooded: true))).Installed);
        // A flow towards H2 at version 4 that did not flood (the poll thread forwarded it where it sent H2 to be learned).
        Assert.True((await AskInstall(s, 0x0200_0000_0003, H2, new MegaflowOwner("brX", 0, 7, 4))).Installed);
        // Another VLAN, another bridge, another MAC table instance, another in_port: not affected.
        Assert.True((await AskInstall(s, 0x0200_0000_0004, H2, new MegaflowOwner("brX", 10, 7, 4, Flooded: true))).Installed);
        Assert.True((await AskInstall(s, 0x0200_0000_0005, H2, new MegaflowOwner("brY", 0, 7, 4, Flooded: true))).Installed);
        Assert.True((await AskInstall(s, 0x0200_0000_0006, H2, new MegaflowOwner("brX", 0, 8, 4, Flooded: true))).Installed);
        Assert.True((await AskInstall(s, 0x0200_0000_0007, H2, new MegaflowOwner("brX", 0, 7, 4, Flooded: true), inPort: 2)).Installed);

        var counters = await s.DatapathActor.Ask<DatapathProtocol.DatapathCounters>(new DatapathProtocol.GetCounters(), TimeSpan.FromSeconds(5));
        Assert.Equal(1, counters.StaleRefused);
        Assert.Equal(6, counters.Installed);
        Assert.Null(s.Datapath.Flows.Find(FlowKey.Create(1, H1, H2, 0x0800), stale.Match.Mask));
    }

    [Fact]
    public async Task A_flow_from_or_to_an_address_that_moved_after_its_translation_is_not_installed_while_a_newly_learned_source_is()
    {
        using var s = new BridgeScenario();
        s.DatapathActor.Tell(new DatapathProtocol.InvalidateMacs([1, 2], [new MacInvalidation(0, H1, Source: false)], "brX", Epoch: 7, Version: 5));
        // Learning H1 as a new source does not make a flow from H1 translated before it wrong: learning it was that flow's own request.
        Assert.True((await AskInstall(s, H1, H2, new MegaflowOwner("brX", 0, 7, 4, Flooded: true))).Installed);

        // H1 moves (version 6): flows from it and towards it translated before are wrong, flooded or not.
        s.DatapathActor.Tell(new DatapathProtocol.InvalidateMacs([1, 2], [new MacInvalidation(0, H1, Source: true)], "brX", Epoch: 7, Version: 6));
        Assert.False((await AskInstall(s, H1, 0x0200_0000_0003, new MegaflowOwner("brX", 0, 7, 5))).Installed);
        Assert.False((await AskInstall(s, H2, H1, new MegaflowOwner("brX", 0, 7, 5), inPort: 2)).Installed);
        Assert.True((await AskInstall(s, H2, H1, new MegaflowOwner("brX", 0, 7, 6), inPort: 2)).Installed);
    }

    [Fact]
    public async Task Past_its_capacity_the_change_log_forgets_and_then_trusts_older_translations_it_can_no_longer_judge()
    {
        using var s = new BridgeScenario();
        var many = Enumerable.Range(0, MacChangeLog.Capacity).Select(i => new MacInvalidation(0, 0x0400_0000_0000UL + (ulong)i, Source: false)).ToArray();
        s.DatapathActor.Tell(new DatapathProtocol.InvalidateMacs([1], [new MacInvalidation(0, H2, Source: false)], "brX", Epoch: 7, Version: 5));
        s.DatapathActor.Tell(new DatapathProtocol.InvalidateMacs([1], many, "brX", Epoch: 7, Version: 6));
        s.DatapathActor.Tell(new DatapathProtocol.InvalidateMacs([1], [new MacInvalidation(0, 0x0200_0000_0009, Source: false)], "brX", Epoch: 7, Version: 7));

        // Translated at version 4: H2's change (version 5) was forgotten, so the flood is installed as before.
        Assert.True((await AskInstall(s, H1, H2, new MegaflowOwner("brX", 0, 7, 4, Flooded: true))).Installed);
        // Translated at version 6: the change at version 7 is still known.
        Assert.False((await AskInstall(s, H1, 0x0200_0000_0009, new MegaflowOwner("brX", 0, 7, 6, Flooded: true))).Installed);
    }

    private static Task<DatapathProtocol.InstallDone> AskInstall(BridgeScenario s, ulong src, ulong dst, MegaflowOwner owner, ushort inPort = 1)
    {
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        var install = new DatapathProtocol.InstallFlow(FlowKey.Create(inPort, src, dst, 0x0800), wc.ToMask(), DatapathActions.Create([DatapathAction.Output(3)]), owner, inPort, ReadOnlyMemory<byte>.Empty);
        return s.DatapathActor.Ask<DatapathProtocol.InstallDone>(install, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_batch_of_installs_is_answered_once_with_every_match_in_order()
    {
        using var s = new BridgeScenario();
        var installs = new[] { Install(1), Install(2), Install(3) };
        var done = await s.DatapathActor.Ask<DatapathProtocol.InstallsDone>(new DatapathProtocol.InstallFlows(installs), TimeSpan.FromSeconds(5));
        Assert.Equal(installs.Select(i => FlowMatch.Of(i.Key, i.Mask)), done.Done.Select(d => d.Match));
        Assert.All(done.Done, d => Assert.True(d.Installed));
        Assert.Equal(3, s.Datapath.Flows.Count);
        s.AwaitAssert(() => Assert.Equal(3, InstalledIn(s.EventsOf())));
    }

    [Fact]
    public async Task Changes_made_while_a_journal_write_is_in_flight_go_into_the_next_event_together()
    {
        using var s = new BridgeScenario();
        var gate = new JournalGate();
        await s.Journal.OnWrite.SetInterceptorAsync(gate);
        await s.DatapathActor.Ask<DatapathProtocol.InstallDone>(Install(1), TimeSpan.FromSeconds(5));
        await gate.Entered;

        // The first event is held at the journal; these two are installed at once but wait for it to be written.
        await s.DatapathActor.Ask<DatapathProtocol.InstallDone>(Install(2), TimeSpan.FromSeconds(5));
        await s.DatapathActor.Ask<DatapathProtocol.InstallDone>(Install(3), TimeSpan.FromSeconds(5));
        Assert.Equal(3, s.Datapath.Flows.Count);
        var pending = await s.DatapathActor.Ask<DatapathProtocol.PersistenceStatus>(new DatapathProtocol.GetPersistenceStatus(), TimeSpan.FromSeconds(5));
        Assert.Equal(3, pending.Journal.Pending);

        await s.Journal.OnWrite.Pass();
        gate.Open();
        s.AwaitAssert(() => Assert.Equal([1, 2], s.EventsOf().OfType<FlowBatch>().Select(b => b.Changes.Count)));
    }

    [Fact]
    public async Task A_compaction_delete_does_not_complete_a_pending_cleanup()
    {
        using var s = new BridgeScenario();
        Warm(s);
        var gate = new JournalGate();
        await s.Snapshots.OnSave.SetInterceptorAsync(gate);
        var cleanup = s.CreateTestProbe();
        s.DatapathActor.Tell(new DatapathProtocol.Cleanup(), cleanup.Ref);
        await gate.Entered;

        // The confirmation of an earlier compaction arrives while the cleanup's own snapshot is being saved.
        s.DatapathActor.Tell(new DeleteMessagesSuccess(1));
        cleanup.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        gate.Open();
        await s.Snapshots.OnSave.Pass();
        var done = cleanup.ExpectMsg<DatapathProtocol.Checkpointed>(TimeSpan.FromSeconds(10));
        Assert.Null(done.Error);
        Assert.Empty(s.EventsOf().OfType<FlowBatch>());
        Assert.Equal(0, s.Datapath.Flows.Count);
    }

    [Fact]
    public void Persistence_status_reports_what_was_written_and_how_long_it_took()
    {
        using var s = new BridgeScenario();
        Warm(s);
        s.AwaitAssert(() =>
        {
            var st = s.DatapathActor.Ask<DatapathProtocol.PersistenceStatus>(new DatapathProtocol.GetPersistenceStatus(), TimeSpan.FromSeconds(5)).Result;
            Assert.Equal("datapath", st.PersistenceId);
            Assert.Equal(3, st.Journal.Changes);
            Assert.Equal(0, st.Journal.Pending);
            Assert.InRange(st.Journal.Events, 1, 3);
            Assert.Equal(st.Journal.Events, st.LastSequenceNr);
            Assert.True(st.Journal.LastWriteMs >= 0);
            Assert.Equal(3, st.ChangesSinceSnapshot);
        });
    }

    [Fact]
    public void Every_control_message_is_data_without_delegates()
    {
        var protocols = new[] { typeof(DatapathProtocol), typeof(Fabric.Actors.Bridge.BridgeProtocol), typeof(Fabric.Actors.Shards.ShardProtocol) };
        var messages = protocols.SelectMany(p => p.GetNestedTypes()).ToList();
        Assert.NotEmpty(messages);
        foreach (var m in messages)
        {
            foreach (var p in m.GetProperties())
            {
                Assert.False(typeof(Delegate).IsAssignableFrom(p.PropertyType), $"{m.Name}.{p.Name} is a delegate: messages must be data");
                Assert.False(p.PropertyType == typeof(Fabric.Datapath.Megaflows.Megaflow), $"{m.Name}.{p.Name} is a live megaflow: name flows by their match");
            }
        }
    }

    private static DatapathProtocol.InstallFlow Install(ulong i)
    {
        var key = FlowKey.Create(1, 0x0200_0010_0000UL + i, Broadcast, 0x0806);
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardDlType();
        return new DatapathProtocol.InstallFlow(key, wc.ToMask(), DatapathActions.Create([DatapathAction.Output(2)]), null, 1, ReadOnlyMemory<byte>.Empty);
    }
}
