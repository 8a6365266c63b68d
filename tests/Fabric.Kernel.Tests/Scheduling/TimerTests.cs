using Fabric.Kernel.Actor;
using Fabric.Kernel.Scheduling;
using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.Scheduling;

public sealed class TimerTests : Fabric.Kernel.TestKit.TestKit
{
    private readonly VirtualTimeProvider _clock;

    public TimerTests()
        : this(new VirtualTimeProvider())
    {
    }

    private TimerTests(VirtualTimeProvider clock)
        : base("timers", clock) => _clock = clock;

    private sealed record Single(string Key, object Message, TimeSpan Delay);

    private sealed record Periodic(string Key, object Message, TimeSpan Interval);

    private sealed record CancelTimer(string Key);

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public TimerActor(IActorRef report)
        {
            Receive<Single>(s =>
            {
                Timers.StartSingleTimer(s.Key, s.Message, s.Delay);
                Sender.Tell("started");
            });
            Receive<Periodic>(p =>
            {
                Timers.StartPeriodicTimer(p.Key, p.Message, p.Interval);
                Sender.Tell("started");
            });
            Receive<CancelTimer>(c =>
            {
                Timers.Cancel(c.Key);
                Sender.Tell("cancelled");
            });
            Receive<string>(s => s == "active", _ => Sender.Tell(Timers.ActiveTimers.Cast<string>().OrderBy(k => k).ToArray()));
            Receive<string>(s => s == "crash", _ => throw new InvalidOperationException("crash"));
            Receive<string>(s => s == "ping", _ => Sender.Tell("pong"));
            ReceiveAny(m => report.Tell(m));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }

    private (IActorRef Actor, TestProbe Report) Start()
    {
        var report = CreateTestProbe();
        return (ActorOf(Props.Create(() => new TimerActor(report.Ref))), report);
    }

    private void Do(IActorRef actor, object command, string ack)
    {
        actor.Tell(command);
        ExpectMsg(ack);
    }

    [Fact]
    public void Single_timer_fires_once_at_its_due_time()
    {
        var (actor, report) = Start();
        Do(actor, new Single("k", "tick", TimeSpan.FromSeconds(5)), "started");
        _clock.Advance(TimeSpan.FromSeconds(4));
        report.ExpectNoMsg();
        _clock.Advance(TimeSpan.FromSeconds(1));
        report.ExpectMsg("tick");
        _clock.Advance(TimeSpan.FromMinutes(1));
        report.ExpectNoMsg();
        actor.Tell("active");
        Assert.Empty(ExpectMsg<string[]>());
    }

    [Fact]
    public void Periodic_timer_fires_every_interval_until_cancelled()
    {
        var (actor, report) = Start();
        Do(actor, new Periodic("p", "tick", TimeSpan.FromSeconds(2)), "started");
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(new object[] { "tick", "tick", "tick" }, report.ReceiveN(3));
        Do(actor, new CancelTimer("p"), "cancelled");
        _clock.Advance(TimeSpan.FromSeconds(10));
        report.ExpectNoMsg();
    }

    [Fact]
    public void Starting_a_timer_with_an_existing_key_replaces_it()
    {
        var (actor, report) = Start();
        Do(actor, new Single("k", "old", TimeSpan.FromSeconds(5)), "started");
        Do(actor, new Single("k", "new", TimeSpan.FromSeconds(10)), "started");
        actor.Tell("active");
        Assert.Equal(new[] { "k" }, ExpectMsg<string[]>());
        _clock.Advance(TimeSpan.FromSeconds(10));
        report.ExpectMsg("new");
        report.ExpectNoMsg();
    }

    private sealed class Blocker : ReceiveActor, IWithTimers
    {
        public Blocker(IActorRef report, VirtualTimeProvider clock)
        {
            // Starts a zero-delay timer (enqueued at once), then replaces it in the same message: the old, already-queued
            // message must never be delivered (generation check).
            Receive<string>(s => s == "go", _ =>
            {
                Timers.StartSingleTimer("k", "stale", TimeSpan.Zero);
                Timers.StartSingleTimer("k", "fresh", TimeSpan.FromSeconds(1));
                Sender.Tell("armed");
            });
            Receive<string>(s => s == "cancel-queued", _ =>
            {
                Timers.StartSingleTimer("c", "cancelled-but-queued", TimeSpan.Zero);
                Timers.Cancel("c");
                Sender.Tell("armed");
            });
            ReceiveAny(m => report.Tell(m));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }

    [Fact]
    public void A_replaced_or_cancelled_timer_never_delivers_its_already_queued_message()
    {
        var report = CreateTestProbe();
        var actor = ActorOf(Props.Create(() => new Blocker(report.Ref, _clock)));
        actor.Tell("go");
        ExpectMsg("armed");
        actor.Tell("cancel-queued");
        ExpectMsg("armed");
        report.ExpectNoMsg();
        _clock.Advance(TimeSpan.FromSeconds(1));
        report.ExpectMsg("fresh");
        report.ExpectNoMsg();
    }

    [Fact]
    public void Timers_are_cancelled_on_restart()
    {
        var (actor, report) = Start();
        Do(actor, new Periodic("p", "tick", TimeSpan.FromSeconds(1)), "started");
        actor.Tell("crash");
        Do(actor, "ping", "pong");
        actor.Tell("active");
        Assert.Empty(ExpectMsg<string[]>());
        _clock.Advance(TimeSpan.FromSeconds(5));
        report.ExpectNoMsg();
    }

    [Fact]
    public void Timers_are_cancelled_on_stop()
    {
        var (actor, report) = Start();
        Do(actor, new Periodic("p", "tick", TimeSpan.FromSeconds(1)), "started");
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, _clock.ActiveTimerCount);
        _clock.Advance(TimeSpan.FromSeconds(5));
        report.ExpectNoMsg();
    }
}
