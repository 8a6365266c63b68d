using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.TestKit;
using Fabric.Kernel.TestKit.Persistence;
using static Fabric.Kernel.Tests.Persistence.CounterActor;

namespace Fabric.Kernel.Tests.Persistence;

public sealed class RecoveryTimeoutTests : Fabric.Kernel.TestKit.TestKit
{
    private readonly VirtualTimeProvider _time;
    private readonly GatedJournal _journal;
    private readonly InMemoryJournal _inner;

    public RecoveryTimeoutTests()
        : this(new VirtualTimeProvider())
    {
    }

    private RecoveryTimeoutTests(VirtualTimeProvider time)
        : base("recovery-timeout", time)
    {
        _time = time;
        var registry = new SerializerRegistry();
        registry.Add(new TestPayloadSerializer());
        _inner = new InMemoryJournal(registry);
        _journal = new GatedJournal(_inner);
        Fabric.Kernel.Persistence.Persistence.Register(Sys, new PersistenceSetup
        {
            Journal = _journal,
            SnapshotStore = new InMemorySnapshotStore(),
            Serializers = registry,
            RecoveryEventTimeout = TimeSpan.FromSeconds(5),
        });
    }

    [Fact]
    public async Task Recovery_that_makes_no_progress_within_the_event_timeout_fails_and_stops_the_actor()
    {
        var probe = CreateTestProbe();
        var seed = ActorOf(CounterActor.Props("t1", probe.Ref));
        probe.FishForMessage<Recovered>(_ => true);
        seed.Tell(new Cmd("a"));
        ExpectMsg("a-1");
        Watch(seed);
        seed.Tell("stop");
        ExpectTerminated(seed);

        _journal.CloseReplay();
        var counter = ActorOf(CounterActor.Props("t1", probe.Ref));
        Watch(counter);
        await _journal.ReplayArrived;
        _time.Advance(TimeSpan.FromSeconds(5));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _time.Advance(TimeSpan.FromSeconds(5));
        var failure = probe.ExpectMsg<RecoveryFailed>();
        Assert.IsType<RecoveryTimedOutException>(failure.Reason);
        ExpectTerminated(counter);
        _journal.OpenReplay();
    }
}
