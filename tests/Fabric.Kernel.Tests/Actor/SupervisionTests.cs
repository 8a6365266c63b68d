using Fabric.Kernel.Actor;
using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class SupervisionTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Failure(string text) : Exception(text);

    private sealed class OtherFailure(string text) : Exception(text);

    /// <summary>Counts "inc", answers "state" with (count, instance), throws the exception it is sent.</summary>
    private sealed class Worker : ReceiveActor
    {
        private static int s_instances;
        private readonly int _instance = Interlocked.Increment(ref s_instances);
        private int _count;

        public Worker()
        {
            Receive<string>(s => s == "inc", _ => _count++);
            Receive<string>(s => s == "state", _ => Sender.Tell((_count, _instance)));
            Receive<Exception>(e => throw e);
        }
    }

    /// <summary>Creates children on request with a fixed strategy, forwards their replies.</summary>
    private sealed class Supervisor : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;

        public Supervisor(SupervisorStrategy strategy)
        {
            _strategy = strategy;
            Receive<Props>(p => Sender.Tell(Context.ActorOf(p)));
            Receive<(Props, string)>(p => Sender.Tell(Context.ActorOf(p.Item1, p.Item2)));
        }

        protected override SupervisorStrategy SupervisorStrategy() => _strategy;
    }

    private IActorRef Child(IActorRef supervisor, string? name = null)
    {
        supervisor.Tell(name is null ? Props.Create<Worker>() : (Props.Create<Worker>(), name));
        return ExpectMsg<IActorRef>();
    }

    private IActorRef NewSupervisor(SupervisorStrategy strategy) =>
        ActorOf(Props.Create(() => new Supervisor(strategy)));

    private (int Count, int Instance) State(IActorRef worker)
    {
        worker.Tell("state");
        return ExpectMsg<(int, int)>();
    }

    [Fact]
    public void Resume_keeps_state_and_drops_the_failing_message_and_logs_a_warning()
    {
        var child = Child(NewSupervisor(new OneForOneStrategy(_ => Directive.Resume)));
        child.Tell("inc");
        var before = State(child);
        EventFilter.Warning(contains: "resumable").ExpectOne(() => child.Tell(new Failure("resumable")));
        child.Tell("inc");
        var after = State(child);
        Assert.Equal((2, before.Instance), after);
    }

    [Fact]
    public void Restart_creates_a_new_instance_behind_the_same_ref_and_logs_an_error()
    {
        var child = Child(NewSupervisor(new OneForOneStrategy(_ => Directive.Restart)));
        child.Tell("inc");
        var before = State(child);
        EventFilter.Exception<Failure>().ExpectOne(() => child.Tell(new Failure("restart me")));
        var after = State(child);
        Assert.Equal(0, after.Count);
        Assert.NotEqual(before.Instance, after.Instance);
        Assert.Equal(child, LastSender);
    }

    [Fact]
    public void Stop_stops_the_child_and_watchers_get_Terminated_and_an_error_is_logged()
    {
        var child = Child(NewSupervisor(new OneForOneStrategy(_ => Directive.Stop)));
        Watch(child);
        EventFilter.Exception<Failure>().ExpectOne(() => child.Tell(new Failure("stop me")));
        var t = ExpectTerminated(child);
        Assert.True(t.ExistenceConfirmed);
    }

    private sealed class Escalator : ReceiveActor
    {
        public Escalator(IActorRef report)
        {
            Receive<Props>(p => Sender.Tell(Context.ActorOf(p, "inner")));
            ReceiveAny(m => report.Tell(m));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);
    }

    [Fact]
    public void Escalate_makes_the_grandparent_decide_on_the_original_exception_type()
    {
        var seen = new List<Exception>();
        var grandparent = NewSupervisor(new OneForOneStrategy(e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }

            return Directive.Stop;
        }));
        grandparent.Tell(Props.Create(() => new Escalator(TestActor)));
        var parent = ExpectMsg<IActorRef>();
        parent.Tell(Props.Create<Worker>());
        var inner = ExpectMsg<IActorRef>();
        Watch(parent);
        Watch(inner);
        inner.Tell(new OtherFailure("escalated"));
        var terminated = ReceiveN(2).Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.Equal(new HashSet<IActorRef> { parent, inner }, terminated);
        lock (seen)
        {
            var e = Assert.Single(seen);
            Assert.IsType<OtherFailure>(e);
            Assert.Equal("escalated", e.Message);
        }
    }

    [Fact]
    public void OneForOne_restarts_only_the_failed_child()
    {
        var supervisor = NewSupervisor(new OneForOneStrategy(_ => Directive.Restart));
        var a = Child(supervisor);
        var b = Child(supervisor);
        a.Tell("inc");
        b.Tell("inc");
        var bBefore = State(b);
        a.Tell(new Failure("a fails"));
        Assert.Equal(0, State(a).Count);
        Assert.Equal(bBefore, State(b));
    }

    [Fact]
    public void AllForOne_restarts_every_child()
    {
        var supervisor = NewSupervisor(new AllForOneStrategy(_ => Directive.Restart));
        var a = Child(supervisor);
        var b = Child(supervisor);
        a.Tell("inc");
        b.Tell("inc");
        var bBefore = State(b);
        a.Tell(new Failure("a fails"));
        Assert.Equal(0, State(a).Count);
        // b's restart is sent by the supervisor together with a's but processed on b's own mailbox: poll until seen.
        AwaitAssert(() =>
        {
            var bAfter = State(b);
            Assert.Equal(0, bAfter.Count);
            Assert.NotEqual(bBefore.Instance, bAfter.Instance);
        });
    }

    [Fact]
    public void AllForOne_stop_stops_every_child()
    {
        var supervisor = NewSupervisor(new AllForOneStrategy(_ => Directive.Stop));
        var a = Child(supervisor);
        var b = Child(supervisor);
        Watch(a);
        Watch(b);
        a.Tell(new Failure("a fails"));
        var terminated = ReceiveN(2).Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.Equal(new HashSet<IActorRef> { a, b }, terminated);
    }

    [Fact]
    public void MaxNrOfRetries_without_window_is_a_lifetime_limit_then_the_child_is_stopped()
    {
        var child = Child(NewSupervisor(new OneForOneStrategy(2, null, _ => Directive.Restart)));
        Watch(child);
        child.Tell(new Failure("1"));
        State(child);
        child.Tell(new Failure("2"));
        State(child);
        child.Tell(new Failure("3"));
        ExpectTerminated(child);
    }

    [Fact]
    public void MaxNrOfRetries_zero_never_restarts()
    {
        var child = Child(NewSupervisor(new OneForOneStrategy(0, null, _ => Directive.Restart)));
        Watch(child);
        child.Tell(new Failure("1"));
        ExpectTerminated(child);
    }

    [Fact]
    public void Retry_limits_are_counted_per_child()
    {
        var supervisor = NewSupervisor(new OneForOneStrategy(1, null, _ => Directive.Restart));
        var a = Child(supervisor);
        var b = Child(supervisor);
        Watch(a);
        a.Tell(new Failure("a1"));
        b.Tell(new Failure("b1"));
        State(a);
        State(b);
        a.Tell(new Failure("a2"));
        ExpectTerminated(a);
        b.Tell("inc");
        Assert.Equal(1, State(b).Count);
    }

    [Fact]
    public void Default_decider_stops_on_initialization_kill_and_death_pact_and_restarts_otherwise()
    {
        var decider = SupervisorStrategy.DefaultDecider;
        Assert.Equal(Directive.Stop, decider(new ActorInitializationException(null, "x", null)));
        Assert.Equal(Directive.Stop, decider(new PostRestartException(TestActor, new Exception(), new Exception())));
        Assert.Equal(Directive.Stop, decider(new ActorKilledException("x")));
        Assert.Equal(Directive.Stop, decider(new DeathPactException(TestActor)));
        Assert.Equal(Directive.Restart, decider(new InvalidOperationException()));
    }

    [Fact]
    public void Kill_stops_the_actor_through_the_default_decider()
    {
        var child = Child(NewSupervisor(SupervisorStrategy.DefaultStrategy));
        Watch(child);
        EventFilter.Exception<ActorKilledException>().ExpectOne(() => child.Tell(Kill.Instance));
        ExpectTerminated(child);
    }

    [Fact]
    public void Decider_From_tests_pairs_in_order()
    {
        var decider = Decider.From(Directive.Escalate,
            Directive.Resume.When<ArgumentNullException>(),
            Directive.Stop.When<ArgumentException>());
        Assert.Equal(Directive.Resume, decider(new ArgumentNullException("x")));
        Assert.Equal(Directive.Stop, decider(new ArgumentOutOfRangeException("x")));
        Assert.Equal(Directive.Escalate, decider(new InvalidOperationException()));
    }

    [Fact]
    public void Props_supervisor_strategy_overrides_the_actor_strategy()
    {
        var supervisor = ActorOf(Props.Create(() => new Supervisor(new OneForOneStrategy(_ => Directive.Restart)))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume)));
        var child = Child(supervisor);
        child.Tell("inc");
        child.Tell(new Failure("resume"));
        Assert.Equal(1, State(child).Count);
    }

    [Fact]
    public void User_guardian_uses_the_default_strategy_for_top_level_actors()
    {
        var worker = ActorOf(Props.Create<Worker>());
        worker.Tell("inc");
        var before = State(worker);
        worker.Tell(new Failure("top-level"));
        var after = State(worker);
        Assert.Equal(0, after.Count);
        Assert.NotEqual(before.Instance, after.Instance);
    }

    [Fact]
    public async Task A_failing_user_guardian_terminates_the_system()
    {
        var sys = ActorSystem.Create("escalating", new ActorSystemSetup
        {
            GuardianSupervisorStrategy = new OneForOneStrategy(_ => Directive.Escalate),
        });
        var worker = sys.ActorOf(Props.Create<Worker>());
        worker.Tell(new Failure("guardian must fail"), ActorRefs.NoSender);
        await sys.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(5));
    }
}

public sealed class RestartWindowTests : Fabric.Kernel.TestKit.TestKit
{
    private static readonly VirtualTimeProvider Clock = new();

    public RestartWindowTests()
        : base("window", Clock)
    {
    }

    private sealed class Crasher : ReceiveActor
    {
        public Crasher()
        {
            Receive<string>(s => s == "ping", _ => Sender.Tell("pong"));
            Receive<Exception>(e => throw e);
        }
    }

    [Fact]
    public void Restarts_within_the_window_are_counted_and_a_new_window_resets_the_count()
    {
        var strategy = new OneForOneStrategy(2, TimeSpan.FromSeconds(10), _ => Directive.Restart);
        var supervisor = ActorOf(Props.Create(() => new WindowSupervisor(strategy)));
        supervisor.Tell("make");
        var child = ExpectMsg<IActorRef>();
        Watch(child);

        void CrashAndPing()
        {
            child.Tell(new InvalidOperationException("crash"));
            child.Tell("ping");
            ExpectMsg("pong");
        }

        CrashAndPing();                       // window opens, count 1
        Clock.Advance(TimeSpan.FromSeconds(5));
        CrashAndPing();                       // count 2 within window
        Clock.Advance(TimeSpan.FromSeconds(6)); // window (10 s) closed
        CrashAndPing();                       // new window, count 1
        Clock.Advance(TimeSpan.FromSeconds(1));
        CrashAndPing();                       // count 2
        child.Tell(new InvalidOperationException("crash"));
        ExpectTerminated(child);              // count 3 > 2 within window ⇒ stop
    }

    private sealed class WindowSupervisor : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;

        public WindowSupervisor(SupervisorStrategy strategy)
        {
            _strategy = strategy;
            Receive<string>(_ => Sender.Tell(Context.ActorOf(Props.Create<Crasher>())));
        }

        protected override SupervisorStrategy SupervisorStrategy() => _strategy;
    }
}
