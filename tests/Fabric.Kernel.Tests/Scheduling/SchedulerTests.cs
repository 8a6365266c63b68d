using Fabric.Kernel.Actor;
using Fabric.Kernel.Scheduling;
using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.Scheduling;

public sealed class SchedulerTests : Fabric.Kernel.TestKit.TestKit
{
    private readonly VirtualTimeProvider _clock;

    public SchedulerTests()
        : this(new VirtualTimeProvider())
    {
    }

    private SchedulerTests(VirtualTimeProvider clock)
        : base("scheduler", clock) => _clock = clock;

    [Fact]
    public void ScheduleTellOnce_delivers_after_the_delay_with_the_given_sender()
    {
        var probe = CreateTestProbe();
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(3), probe.Ref, "hello", TestActor);
        _clock.Advance(TimeSpan.FromSeconds(2));
        probe.ExpectNoMsg();
        _clock.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("hello");
        Assert.Equal(TestActor, probe.LastSender);
        _clock.Advance(TimeSpan.FromSeconds(10));
        probe.ExpectNoMsg();
    }

    [Fact]
    public void ScheduleTellRepeatedly_repeats_until_cancelled()
    {
        var probe = CreateTestProbe();
        var cancelable = Sys.Scheduler.ScheduleTellRepeatedlyCancelable(
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), probe.Ref, "tick", ActorRefs.NoSender);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(new object[] { "tick", "tick", "tick" }, probe.ReceiveN(3));
        cancelable.Cancel();
        Assert.True(cancelable.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(10));
        probe.ExpectNoMsg();
    }

    [Fact]
    public void A_cancelled_once_job_does_not_fire()
    {
        var probe = CreateTestProbe();
        var cancelable = Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromSeconds(1), probe.Ref, "x", ActorRefs.NoSender);
        cancelable.Cancel();
        _clock.Advance(TimeSpan.FromSeconds(2));
        probe.ExpectNoMsg();
        Assert.Equal(0, _clock.ActiveTimerCount);
    }

    [Fact]
    public void Advanced_scheduler_runs_actions_and_Now_follows_the_clock()
    {
        var runs = 0;
        var cancelable = new Cancelable();
        Sys.Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromSeconds(1), () => runs++, cancelable);
        Assert.Equal(1, runs);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(4, runs);
        cancelable.Cancel();
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(4, runs);
        Assert.Equal(_clock.Start + TimeSpan.FromSeconds(6), Sys.Scheduler.Now);
    }

    [Fact]
    public async Task Scheduler_jobs_are_not_tied_to_an_actor_lifecycle_and_stop_with_the_system()
    {
        var probe = CreateTestProbe();
        Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), probe.Ref, "tick", ActorRefs.NoSender);
        _clock.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("tick");
        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, _clock.ActiveTimerCount);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(-1), TestActor, "x", null));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.Zero, TestActor, "x", null));
    }
}
