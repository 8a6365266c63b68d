using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.TestKit;
using Fabric.Kernel.TestKit.Persistence;
using static Fabric.Kernel.Tests.Persistence.CounterActor;

namespace Fabric.Kernel.Tests.Persistence;

public sealed class PersistentActorTests : PersistenceTestKit
{
    private readonly TestProbe _probe;

    public PersistentActorTests()
    {
        _probe = CreateTestProbe();
    }

    private IActorRef StartCounter(string id, Recovery? recovery = null, bool awaitRecovery = true)
    {
        var actor = ActorOf(CounterActor.Props(id, _probe.Ref, recovery));
        if (awaitRecovery)
        {
            _probe.FishForMessage<Recovered>(_ => true);
        }

        return actor;
    }

    private void StopAndWait(IActorRef actor)
    {
        Watch(actor);
        actor.Tell("stop");
        ExpectTerminated(actor);
    }

    [Fact]
    public void First_event_gets_sequence_number_1_and_the_handler_sees_the_commands_sender()
    {
        var counter = StartCounter("p1");
        counter.Tell(new Cmd("a"));
        ExpectMsg("a-1");
        counter.Tell(new Cmd("b"));
        ExpectMsg("b-2");
        Assert.Equal([1L, 2L], Journal.Rows("p1").Select(r => r.SequenceNr));
        Assert.Equal([new Evt("a"), new Evt("b")], Journal.EventsOf("p1"));
        Assert.All(Journal.Rows("p1"), r => Assert.Equal(typeof(Evt).FullName + ".v1", r.Manifest));
    }

    [Fact]
    public void RecoveryCompleted_is_delivered_for_a_brand_new_id_with_sequence_number_0()
    {
        ActorOf(CounterActor.Props("fresh", _probe.Ref));
        _probe.ExpectMsg(new Recovered(0, IsRecovering: false, IsRecoveryFinished: true, State: ""));
    }

    [Fact]
    public void A_new_incarnation_replays_the_events_with_DeadLetters_as_sender_then_continues_numbering()
    {
        var counter = StartCounter("p2");
        counter.Tell(new Cmd("a"));
        counter.Tell(new Cmd("b"));
        ExpectMsg("a-1");
        ExpectMsg("b-2");
        StopAndWait(counter);

        var again = ActorOf(CounterActor.Props("p2", _probe.Ref));
        _probe.ExpectMsg(new Replayed("a", 1, IsRecovering: true, SenderIsDeadLetters: true));
        _probe.ExpectMsg(new Replayed("b", 2, IsRecovering: true, SenderIsDeadLetters: true));
        _probe.ExpectMsg(new Recovered(2, false, true, "a,b"));
        again.Tell(new Cmd("c"));
        ExpectMsg("c-3");
    }

    [Fact]
    public void A_restart_recovers_again_from_the_journal()
    {
        var counter = StartCounter("p3");
        counter.Tell(new Cmd("a"));
        ExpectMsg("a-1");
        counter.Tell("crash");
        _probe.ExpectMsg(new Replayed("a", 1, true, true));
        _probe.ExpectMsg(new Recovered(1, false, true, "a"));
        counter.Tell("get");
        ExpectMsg("a");
    }

    [Fact]
    public void Commands_sent_during_recovery_are_stashed_and_processed_after_RecoveryCompleted_in_order()
    {
        var seed = StartCounter("p4");
        seed.Tell(new AllCmd([.. Enumerable.Range(0, 200).Select(i => $"e{i}")]));
        ReceiveN(200);
        StopAndWait(seed);

        var counter = ActorOf(CounterActor.Props("p4", _probe.Ref));
        counter.Tell(new Cmd("x"));
        counter.Tell("ping");
        counter.Tell("seq");
        ExpectMsg("x-201");
        ExpectMsg("pong");
        ExpectMsg(201L);
        var recovered = _probe.FishForMessage<Recovered>(_ => true);
        Assert.Equal(200, recovered.LastSequenceNr);
    }

    [Fact]
    public void Snapshot_is_offered_first_and_only_later_events_are_replayed()
    {
        var counter = StartCounter("p5");
        counter.Tell(new Cmd("a"));
        counter.Tell(new Cmd("b"));
        counter.Tell("snap");
        ExpectMsg("a-1");
        ExpectMsg("b-2");
        var saved = _probe.ExpectMsg<SaveSnapshotSuccess>();
        Assert.Equal(new SnapshotMetadata("p5", 2, saved.Metadata.Timestamp), saved.Metadata);
        counter.Tell(new Cmd("c"));
        ExpectMsg("c-3");
        StopAndWait(counter);

        ActorOf(CounterActor.Props("p5", _probe.Ref));
        _probe.ExpectMsg(new Offered(2, "a,b"));
        _probe.ExpectMsg(new Replayed("c", 3, true, true));
        _probe.ExpectMsg(new Recovered(3, false, true, "a,b,c"));
    }

    [Fact]
    public void Recovery_honours_FromSnapshot_ToSequenceNr_and_ReplayMax()
    {
        var counter = StartCounter("p6");
        counter.Tell(new AllCmd(["a", "b", "c", "d"]));
        ReceiveN(4);
        counter.Tell("snap");
        _probe.ExpectMsg<SaveSnapshotSuccess>();
        StopAndWait(counter);

        StopAndWait(StartCounterExpecting("p6", new Recovery(SnapshotSelectionCriteria.None, toSequenceNr: 2), new Recovered(4, false, true, "a,b")));
        StopAndWait(StartCounterExpecting("p6", new Recovery(SnapshotSelectionCriteria.None, replayMax: 3), new Recovered(4, false, true, "a,b,c")));
        StopAndWait(StartCounterExpecting("p6", new Recovery(SnapshotSelectionCriteria.Latest, toSequenceNr: 3), new Recovered(4, false, true, "a,b,c")));
    }

    private IActorRef StartCounterExpecting(string id, Recovery recovery, Recovered expected)
    {
        var actor = ActorOf(CounterActor.Props(id, _probe.Ref, recovery));
        Assert.Equal(expected, _probe.FishForMessage<Recovered>(_ => true));
        return actor;
    }

    [Fact]
    public void Recovery_None_skips_snapshot_and_replay_but_continues_the_numbering()
    {
        var counter = StartCounter("p7");
        counter.Tell(new AllCmd(["a", "b", "c"]));
        ReceiveN(3);
        counter.Tell("snap");
        _probe.ExpectMsg<SaveSnapshotSuccess>();
        StopAndWait(counter);

        var fresh = ActorOf(CounterActor.Props("p7", _probe.Ref, Recovery.None));
        _probe.ExpectMsg(new Recovered(3, false, true, ""));
        fresh.Tell(new Cmd("d"));
        ExpectMsg("d-4");
    }

    [Fact]
    public void PersistAll_is_one_atomic_write_whose_handlers_run_in_order()
    {
        var counter = StartCounter("p8");
        var before = Journal.WriteCalls;
        counter.Tell(new AllCmd(["a", "b", "c"]));
        ExpectMsg("a-1");
        ExpectMsg("b-2");
        ExpectMsg("c-3");
        Assert.Equal(before + 1, Journal.WriteCalls);

        Journal.WriteBehavior = JournalBehavior.RejectIf(r => r.SequenceNr == 5);
        counter.Tell(new AllCmd(["d", "e", "f"]));
        Assert.Equal([4L, 5L, 6L], new[] { _probe.ExpectMsg<Rejected>().SequenceNr, _probe.ExpectMsg<Rejected>().SequenceNr, _probe.ExpectMsg<Rejected>().SequenceNr });
        ExpectNoMsg();
        Assert.Equal(3, Journal.Rows("p8").Count);
    }

    [Fact]
    public void A_rejected_event_skips_its_handler_consumes_its_number_and_the_actor_continues()
    {
        var counter = StartCounter("p9");
        Journal.WriteBehavior = JournalBehavior.RejectOnType<Evt>();
        counter.Tell(new Cmd("a"));
        var rejected = _probe.ExpectMsg<Rejected>();
        Assert.Equal(1, rejected.SequenceNr);
        Assert.Equal(new Evt("a"), rejected.Event);
        Assert.IsType<TestJournalRejectException>(rejected.Cause);

        Journal.WriteBehavior = JournalBehavior.Pass;
        counter.Tell(new Cmd("b"));
        ExpectMsg("b-2");
        counter.Tell("get");
        ExpectMsg("b");
    }

    [Fact]
    public void An_unserializable_event_is_a_rejection_not_a_failure()
    {
        var counter = StartCounter("p10");
        counter.Tell(new BadCmd());
        var rejected = _probe.ExpectMsg<Rejected>();
        Assert.Equal(1, rejected.SequenceNr);
        Assert.IsType<System.Runtime.Serialization.SerializationException>(rejected.Cause);
        counter.Tell(new Cmd("ok"));
        ExpectMsg("ok-2");
        Assert.Equal([2L], Journal.Rows("p10").Select(r => r.SequenceNr));
    }

    [Fact]
    public void A_journal_failure_calls_OnPersistFailure_and_stops_the_actor_without_restart()
    {
        var counter = StartCounter("p11");
        Watch(counter);
        Journal.WriteBehavior = JournalBehavior.Fail;
        counter.Tell(new Cmd("a"));
        counter.Tell("ping");
        var failed = _probe.ExpectMsg<PersistFailed>();
        Assert.Equal(1, failed.SequenceNr);
        Assert.IsType<TestJournalFailureException>(failed.Cause);
        ExpectTerminated(counter);
        _probe.ExpectNoMsg();
    }

    [Fact]
    public void Recovery_fails_and_stops_the_actor_when_the_journal_replay_fails()
    {
        Seed("r1", "a");
        Journal.RecoveryBehavior = JournalBehavior.Fail;
        AssertRecoveryFailure<TestJournalFailureException>("r1");
    }

    [Fact]
    public void Recovery_fails_and_stops_the_actor_when_a_replay_handler_throws()
    {
        Seed("r2", "a", "poison");
        var failure = AssertRecoveryFailure<InvalidOperationException>("r2");
        Assert.Equal(new Evt("poison"), failure.Message);
    }

    [Fact]
    public async Task Recovery_fails_and_stops_the_actor_when_an_event_cannot_be_deserialized()
    {
        var payload = "{}"u8.ToArray();
        await Journal.WriteMessagesAsync([new(new[] { new PersistentRepr("r3", 1, "unknown.Type.v9", payload, 0, [], "w") })]);
        AssertRecoveryFailure<System.Runtime.Serialization.SerializationException>("r3");
    }

    [Fact]
    public void Recovery_fails_and_stops_the_actor_when_the_snapshot_load_fails()
    {
        Seed("r4", "a");
        SnapshotStore.LoadBehavior = SnapshotBehavior.Fail;
        AssertRecoveryFailure<TestSnapshotStoreFailureException>("r4");
    }

    private RecoveryFailed AssertRecoveryFailure<TException>(string id)
        where TException : Exception
    {
        var actor = ActorOf(CounterActor.Props(id, _probe.Ref));
        Watch(actor);
        actor.Tell("ping");
        var failure = _probe.FishForMessage<RecoveryFailed>(_ => true);
        Assert.IsType<TException>(failure.Reason);
        ExpectTerminated(actor);
        return failure;
    }

    private void Seed(string id, params string[] data)
    {
        var seed = StartCounter(id);
        seed.Tell(new AllCmd(data));
        ReceiveN(data.Length);
        StopAndWait(seed);
        _probe.ExpectNoMsg(TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public void A_failed_snapshot_save_arrives_as_SaveSnapshotFailure_and_the_actor_continues()
    {
        var counter = StartCounter("s1");
        SnapshotStore.SaveBehavior = SnapshotBehavior.Fail;
        counter.Tell(new Cmd("a"));
        ExpectMsg("a-1");
        counter.Tell("snap");
        var failure = _probe.ExpectMsg<SaveSnapshotFailure>();
        Assert.Equal(1, failure.Metadata.SequenceNr);
        Assert.IsType<TestSnapshotStoreFailureException>(failure.Cause);
        counter.Tell(new Cmd("b"));
        ExpectMsg("b-2");
    }

    [Fact]
    public void DeleteMessages_never_lowers_the_highest_sequence_number()
    {
        var counter = StartCounter("d1");
        counter.Tell(new AllCmd(["a", "b", "c"]));
        ReceiveN(3);
        counter.Tell(new DeleteTo(2));
        _probe.ExpectMsg(new DeleteMessagesSuccess(2));
        Assert.Equal([3L], Journal.Rows("d1").Select(r => r.SequenceNr));
        counter.Tell(new DeleteTo(long.MaxValue));
        _probe.ExpectMsg(new DeleteMessagesSuccess(long.MaxValue));
        Assert.Empty(Journal.Rows("d1"));
        StopAndWait(counter);

        var again = ActorOf(CounterActor.Props("d1", _probe.Ref));
        _probe.ExpectMsg(new Recovered(3, false, true, ""));
        again.Tell(new Cmd("d"));
        ExpectMsg("d-4");
    }

    [Fact]
    public void DeleteMessages_beyond_LastSequenceNr_fails()
    {
        var counter = StartCounter("d2");
        counter.Tell(new Cmd("a"));
        ExpectMsg("a-1");
        counter.Tell(new DeleteTo(5));
        var failure = _probe.ExpectMsg<DeleteMessagesFailure>();
        Assert.Equal(5, failure.ToSequenceNr);
        Assert.IsType<ArgumentOutOfRangeException>(failure.Cause);
        Assert.Single(Journal.Rows("d2"));
    }

    [Fact]
    public void DeleteSnapshot_and_DeleteSnapshots_remove_snapshots()
    {
        var counter = StartCounter("d3");
        foreach (var data in new[] { "a", "b", "c" })
        {
            counter.Tell(new Cmd(data));
            ReceiveOne();
            counter.Tell("snap");
            _probe.ExpectMsg<SaveSnapshotSuccess>();
        }

        Assert.Equal([1L, 2L, 3L], SnapshotStore.SnapshotsOf("d3").Select(s => s.Metadata.SequenceNr));
        counter.Tell(new DeleteSnap(2));
        Assert.Equal(2, _probe.ExpectMsg<DeleteSnapshotSuccess>().Metadata.SequenceNr);
        Assert.Equal([1L, 3L], SnapshotStore.SnapshotsOf("d3").Select(s => s.Metadata.SequenceNr));
        var criteria = new SnapshotSelectionCriteria(MaxSequenceNr: 3, MinSequenceNr: 2);
        counter.Tell(new DeleteSnaps(criteria));
        _probe.ExpectMsg(new DeleteSnapshotsSuccess(criteria));
        Assert.Equal([1L], SnapshotStore.SnapshotsOf("d3").Select(s => s.Metadata.SequenceNr));
    }

    [Fact]
    public void Nested_persist_handlers_run_before_the_next_command()
    {
        var counter = StartCounter("n1");
        counter.Tell(new NestedCmd("a"));
        counter.Tell("ping");
        ExpectMsg("a-1");
        ExpectMsg("a'-2");
        ExpectMsg("pong");
    }

    [Fact]
    public void DeferAsync_runs_after_the_preceding_persist_handlers_and_immediately_when_none_is_pending()
    {
        var counter = StartCounter("f1");
        counter.Tell(new DeferCmd("now"));
        ExpectMsg("deferred-now");
        counter.Tell(new AllAsyncCmd(["a", "b"]));
        counter.Tell(new DeferCmd("later"));
        ExpectMsg("a-1");
        ExpectMsg("b-2");
        ExpectMsg("deferred-later");
    }

    [Fact]
    public void Persistent_actor_fails_to_start_without_a_persistence_setup()
    {
        using var other = new Fabric.Kernel.TestKit.TestKit("no-persistence");
        Assert.Throws<InvalidOperationException>(() => Fabric.Kernel.Persistence.Persistence.Get(other.Sys));
        var actor = other.ActorOf(CounterActor.Props("x", other.TestActor));
        other.Watch(actor);
        other.ExpectTerminated(actor);
    }

    [Fact]
    public void Registering_persistence_twice_throws()
    {
        Assert.Same(Extension, Fabric.Kernel.Persistence.Persistence.Get(Sys));
        Assert.Throws<InvalidOperationException>(() => Fabric.Kernel.Persistence.Persistence.Register(Sys, new PersistenceSetup
        {
            Journal = Journal,
            SnapshotStore = SnapshotStore,
            Serializers = Serializers,
        }));
    }

    [Fact]
    public void Statistics_count_written_events_and_batches()
    {
        var counter = StartCounter("st");
        counter.Tell(new AllCmd(["a", "b", "c"]));
        ReceiveN(3);
        Assert.Equal(3, Extension.Statistics.EventsWritten);
        Assert.True(Extension.Statistics.Batches >= 1);
        Assert.Equal(0, Extension.Statistics.Failures);
        Assert.True(Extension.Statistics.AverageWriteLatencyMs >= 0);
    }
}
