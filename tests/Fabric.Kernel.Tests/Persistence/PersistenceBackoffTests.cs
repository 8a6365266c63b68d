using Fabric.Kernel.Actor;
using Fabric.Kernel.Pattern;
using Fabric.Kernel.TestKit;
using Fabric.Kernel.TestKit.Persistence;
using static Fabric.Kernel.Tests.Persistence.CounterActor;

namespace Fabric.Kernel.Tests.Persistence;

/// <summary>Store unavailable → persistent actor stopped → BackoffSupervisor restarts it → it catches up once the store returns.</summary>
public sealed class PersistenceBackoffTests : PersistenceTestKit
{
    private readonly VirtualTimeProvider _time;

    public PersistenceBackoffTests()
        : this(new VirtualTimeProvider())
    {
    }

    private PersistenceBackoffTests(VirtualTimeProvider time)
        : base("persistence-backoff", time)
    {
        _time = time;
    }

    [Fact]
    public void A_persistent_actor_stopped_by_an_unavailable_journal_is_restarted_with_backoff_and_recovers()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnStop(CounterActor.Props("dp", probe.Ref), "dp", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), 0).WithManualReset()));
        probe.ExpectMsg<Recovered>();
        supervisor.Tell(new Cmd("a"));
        ExpectMsg("a-1");

        Journal.ToggleAvailable(false);
        supervisor.Tell(new Cmd("b"));
        probe.ExpectMsg<PersistFailed>();
        AwaitRestartCount(supervisor, 1);

        // First restart: recovery also fails (store still down), the actor stops again, the next delay doubles.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.IsType<TestJournalFailureException>(probe.ExpectMsg<RecoveryFailed>().Reason);
        AwaitRestartCount(supervisor, 2);

        Journal.ToggleAvailable(true);
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg(new Replayed("a", 1, true, true));
        probe.ExpectMsg(new Recovered(1, false, true, "a"));
        supervisor.Tell(new Cmd("c"));
        ExpectMsg("c-2");
    }

    private void AwaitRestartCount(IActorRef supervisor, int count) =>
        AwaitCondition(() =>
        {
            supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance);
            return ExpectMsg<BackoffSupervisor.RestartCount>().Count == count;
        });
}
