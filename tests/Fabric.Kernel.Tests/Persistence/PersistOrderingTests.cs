using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.TestKit;
using Fabric.Kernel.TestKit.Persistence;
using static Fabric.Kernel.Tests.Persistence.CounterActor;

namespace Fabric.Kernel.Tests.Persistence;

/// <summary>Ordering rules that need a journal whose writes the test holds back.</summary>
public sealed class PersistOrderingTests : Fabric.Kernel.TestKit.TestKit
{
    private readonly GatedJournal _journal;
    private readonly InMemoryJournal _inner;
    private readonly TestProbe _probe;

    public PersistOrderingTests()
    {
        var serializer = new TestPayloadSerializer();
        var registry = new SerializerRegistry();
        registry.Add(serializer);
        _inner = new InMemoryJournal(registry);
        _journal = new GatedJournal(_inner);
        Fabric.Kernel.Persistence.Persistence.Register(Sys, new PersistenceSetup
        {
            Journal = _journal,
            SnapshotStore = new InMemorySnapshotStore(),
            Serializers = registry,
        });
        _probe = CreateTestProbe();
    }

    private IActorRef StartCounter(string id)
    {
        var actor = ActorOf(CounterActor.Props(id, _probe.Ref));
        _probe.FishForMessage<Recovered>(_ => true);
        return actor;
    }

    [Fact]
    public async Task Persist_stashes_commands_until_its_handler_ran()
    {
        var counter = StartCounter("o1");
        _journal.CloseWrites();
        counter.Tell(new Cmd("a"));
        counter.Tell("ping");
        await _journal.WriteArrived;
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _journal.OpenWrites();
        ExpectMsg("a-1");
        ExpectMsg("pong");
    }

    [Fact]
    public async Task PersistAsync_lets_commands_through_while_the_write_is_in_flight()
    {
        var counter = StartCounter("o2");
        _journal.CloseWrites();
        counter.Tell(new AsyncCmd("a"));
        counter.Tell(new AsyncCmd("b"));
        counter.Tell("ping");
        await _journal.WriteArrived;
        ExpectMsg("pong");
        _journal.OpenWrites();
        ExpectMsg("a-1");
        ExpectMsg("b-2");
    }

    [Fact]
    public async Task A_write_response_for_an_earlier_incarnation_is_ignored()
    {
        var counter = StartCounter("o3");
        _journal.CloseWrites();
        counter.Tell(new AsyncCmd("old"));
        await _journal.WriteArrived;
        counter.Tell("crash");
        var recovered = _probe.FishForMessage<Recovered>(_ => true);
        Assert.Equal(0, recovered.LastSequenceNr);

        // The new incarnation has its own write in flight when the old one's response arrives: the old response must not
        // complete it. The new event reuses sequence number 1, which the old write took, so the journal rejects it.
        counter.Tell(new AsyncCmd("new"));
        counter.Tell("ping");
        ExpectMsg("pong");
        _journal.OpenWrites();
        var rejected = _probe.ExpectMsg<Rejected>();
        Assert.Equal(new Evt("new"), rejected.Event);
        Assert.Equal(1, rejected.SequenceNr);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal([new Evt("old")], _inner.EventsOf("o3"));
        counter.Tell("get");
        ExpectMsg(string.Empty);
    }

    [Fact]
    public async Task Commands_arriving_during_a_slow_replay_wait_for_RecoveryCompleted()
    {
        var seed = StartCounter("o4");
        seed.Tell(new Cmd("a"));
        ExpectMsg("a-1");
        Watch(seed);
        seed.Tell("stop");
        ExpectTerminated(seed);

        _journal.CloseReplay();
        var counter = ActorOf(CounterActor.Props("o4", _probe.Ref));
        await _journal.ReplayArrived;
        counter.Tell("get");
        counter.Tell(new Cmd("b"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _journal.OpenReplay();
        ExpectMsg("a");
        ExpectMsg("b-2");
        _probe.ExpectMsg(new Replayed("a", 1, true, true));
        _probe.ExpectMsg(new Recovered(1, false, true, "a"));
    }
}
