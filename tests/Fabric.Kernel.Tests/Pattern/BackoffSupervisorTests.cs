using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Fabric.Kernel.Pattern;
using Fabric.Kernel.TestKit;

namespace Fabric.Kernel.Tests.Pattern;

public sealed class BackoffSupervisorTests : Fabric.Kernel.TestKit.TestKit
{
    private readonly VirtualTimeProvider _time;

    public BackoffSupervisorTests()
        : this(new VirtualTimeProvider())
    {
    }

    private BackoffSupervisorTests(VirtualTimeProvider time)
        : base("backoff", time)
    {
        _time = time;
    }

    /// <summary>Echoes, stops on "stop", throws on "fail"; tells the probe when it starts.</summary>
    private sealed class Child : ReceiveActor
    {
        public Child(IActorRef probe)
        {
            probe.Tell("started", Self);
            Receive<string>(s => s == "stop", _ => Context.Stop(Self));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("fail"));
            ReceiveAny(m => Sender.Tell(m, Self));
        }
    }

    private static Props ChildProps(IActorRef probe) => Props.Create(() => new Child(probe));

    private IActorRef CurrentChild(IActorRef supervisor)
    {
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance);
        return ExpectMsg<BackoffSupervisor.CurrentChild>().Ref!;
    }

    private void AwaitRestartCount(IActorRef supervisor, int count) =>
        AwaitCondition(() =>
        {
            supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance);
            return ExpectMsg<BackoffSupervisor.RestartCount>().Count == count;
        });

    [Fact]
    public void Messages_are_forwarded_to_the_child_with_the_original_sender()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0)));
        probe.ExpectMsg("started");
        supervisor.Tell("hello");
        ExpectMsg("hello");
        Assert.Equal("c", CurrentChild(supervisor).Path.Name);
    }

    [Fact]
    public void OnStop_restarts_a_stopped_child_after_the_backoff_and_dead_letters_messages_meanwhile()
    {
        var probe = CreateTestProbe();
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0).WithManualReset()));
        probe.ExpectMsg("started");
        var first = CurrentChild(supervisor);
        supervisor.Tell("stop");
        AwaitRestartCount(supervisor, 1);
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance);
        Assert.Null(ExpectMsg<BackoffSupervisor.CurrentChild>().Ref);
        supervisor.Tell("lost");
        Assert.Equal("lost", deadLetters.FishForMessage<DeadLetter>(d => "lost".Equals(d.Message)).Message);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        probe.ExpectMsg("started");
        var second = CurrentChild(supervisor);
        Assert.Equal(first.Path, second.Path);
        Assert.NotEqual(first, second);
        supervisor.Tell("again");
        ExpectMsg("again");
    }

    [Fact]
    public void Delays_double_per_restart_up_to_the_maximum()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 0).WithManualReset()));
        probe.ExpectMsg("started");
        var expected = new[] { 1, 2, 4, 5, 5 };
        for (var n = 0; n < expected.Length; n++)
        {
            supervisor.Tell("stop");
            AwaitRestartCount(supervisor, n + 1);
            _time.Advance(TimeSpan.FromSeconds(expected[n]) - TimeSpan.FromMilliseconds(1));
            probe.ExpectNoMsg(TimeSpan.FromMilliseconds(30));
            _time.Advance(TimeSpan.FromMilliseconds(1));
            probe.ExpectMsg("started");
        }
    }

    [Fact]
    public void Random_factor_stretches_each_delay_by_at_most_that_fraction()
    {
        var options = Backoff.OnStop(Props.Create(() => new Child(ActorRefs.Nobody)), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);
        Assert.Equal(TimeSpan.FromSeconds(1), options.CalculateDelay(0, 0));
        Assert.Equal(TimeSpan.FromSeconds(4.8), options.CalculateDelay(2, 1.0));
        Assert.Equal(TimeSpan.FromSeconds(36), options.CalculateDelay(40, 1.0));
        var random = new Random(7);
        for (var n = 0; n < 10; n++)
        {
            var baseDelay = Math.Min(30, Math.Pow(2, n));
            var delay = options.CalculateDelay(n, random.NextDouble()).TotalSeconds;
            Assert.InRange(delay, baseDelay, baseDelay * 1.2);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.OnStop(Props.Create(() => new Child(ActorRefs.Nobody)), "c", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.OnStop(Props.Create(() => new Child(ActorRefs.Nobody)), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1.5));
    }

    [Fact]
    public void The_restart_count_resets_automatically_once_the_child_survived_the_reset_backoff()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0).WithAutoReset(TimeSpan.FromSeconds(3))));
        probe.ExpectMsg("started");
        supervisor.Tell("stop");
        AwaitRestartCount(supervisor, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("started");
        supervisor.Tell("through");
        ExpectMsg("through");
        _time.Advance(TimeSpan.FromSeconds(3));
        AwaitRestartCount(supervisor, 0);
    }

    [Fact]
    public void Manual_reset_restores_the_minimum_delay()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0).WithManualReset()));
        probe.ExpectMsg("started");
        supervisor.Tell("stop");
        AwaitRestartCount(supervisor, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("started");
        supervisor.Tell(BackoffSupervisor.Reset.Instance);
        AwaitRestartCount(supervisor, 0);
        supervisor.Tell("stop");
        AwaitRestartCount(supervisor, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("started");
    }

    [Fact]
    public void The_supervisor_stops_after_MaxNrOfRetries()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0).WithManualReset().WithMaxNrOfRetries(1)));
        Watch(supervisor);
        probe.ExpectMsg("started");
        supervisor.Tell("stop");
        AwaitRestartCount(supervisor, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("started");
        supervisor.Tell("stop");
        ExpectTerminated(supervisor);
    }

    [Fact]
    public void OnFailure_replaces_a_failing_child_after_the_backoff_and_stops_when_the_child_stops_itself()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(
            Backoff.OnFailure(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), 0).WithManualReset()));
        Watch(supervisor);
        probe.ExpectMsg("started");
        var first = CurrentChild(supervisor);
        EventFilter.Exception<InvalidOperationException>().ExpectOne(() => supervisor.Tell("fail"));
        AwaitRestartCount(supervisor, 1);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _time.Advance(TimeSpan.FromSeconds(2));
        probe.ExpectMsg("started");
        Assert.NotEqual(first, CurrentChild(supervisor));

        supervisor.Tell("stop");
        ExpectTerminated(supervisor);
    }

    [Fact]
    public void OnStop_with_the_default_strategy_restarts_a_failing_child_in_place()
    {
        var probe = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(Backoff.OnStop(ChildProps(probe.Ref), "c", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0)));
        probe.ExpectMsg("started");
        var first = CurrentChild(supervisor);
        EventFilter.Exception<InvalidOperationException>().ExpectOne(() => supervisor.Tell("fail"));
        probe.ExpectMsg("started");
        Assert.Equal(first, CurrentChild(supervisor));
        supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance);
        ExpectMsg(new BackoffSupervisor.RestartCount(0));
    }
}
