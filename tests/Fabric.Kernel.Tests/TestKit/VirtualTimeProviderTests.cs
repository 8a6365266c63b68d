using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.TestKit;

public sealed class VirtualTimeProviderTests
{
    [Fact]
    public void Time_only_moves_when_advanced_and_timestamps_follow()
    {
        var clock = new VirtualTimeProvider();
        var t0 = clock.GetTimestamp();
        Assert.Equal(clock.Start, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(clock.Start.AddMilliseconds(1500), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromMilliseconds(1500), clock.GetElapsedTime(t0));
        clock.SetUtcNow(clock.Start.AddSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(10), clock.GetElapsedTime(t0));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.SetUtcNow(clock.Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void Timers_fire_in_due_order_with_ties_in_creation_order_and_the_clock_at_the_due_time()
    {
        var clock = new VirtualTimeProvider();
        var fired = new List<(string, TimeSpan)>();
        void Record(object? s) => fired.Add(((string)s!, clock.GetUtcNow() - clock.Start));
        using var c = clock.CreateTimer(Record, "c", TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var a = clock.CreateTimer(Record, "a", TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var b1 = clock.CreateTimer(Record, "b1", TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var b2 = clock.CreateTimer(Record, "b2", TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(
            [("a", TimeSpan.FromSeconds(1)), ("b1", TimeSpan.FromSeconds(2)), ("b2", TimeSpan.FromSeconds(2)), ("c", TimeSpan.FromSeconds(3))],
            fired);
        Assert.Equal(clock.Start.AddSeconds(10), clock.GetUtcNow());
    }

    [Fact]
    public void Periodic_timers_are_rearmed_and_timers_created_during_an_advance_fire_when_due()
    {
        var clock = new VirtualTimeProvider();
        var ticks = 0;
        var nested = new List<TimeSpan>();
        using var periodic = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        ITimer? inner = null;
        using var outer = clock.CreateTimer(_ =>
        {
            inner = clock.CreateTimer(_ => nested.Add(clock.GetUtcNow() - clock.Start), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5, ticks);
        Assert.Equal([TimeSpan.FromSeconds(3)], nested);
        inner?.Dispose();
    }

    [Fact]
    public void Disposed_or_changed_timers_do_not_fire_at_their_old_time()
    {
        var clock = new VirtualTimeProvider();
        var fired = 0;
        var t = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        Assert.True(t.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, fired);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
        t.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        t.Dispose();
        Assert.False(t.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, fired);
        Assert.Equal(0, clock.ActiveTimerCount);
    }

    [Fact]
    public async Task Task_Delay_on_the_virtual_clock_completes_only_when_advanced()
    {
        var clock = new VirtualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromSeconds(30), clock);
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        await delay.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_periodic_timer_fires_floor_of_elapsed_over_period_times_however_time_is_advanced()
    {
        var random = new Random(12345);
        for (var run = 0; run < 200; run++)
        {
            var period = random.Next(1, 50);
            var steps = Enumerable.Range(0, random.Next(0, 20)).Select(_ => random.Next(0, 21)).ToArray();
            var clock = new VirtualTimeProvider();
            var count = 0;
            using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromMilliseconds(period), TimeSpan.FromMilliseconds(period));
            foreach (var step in steps)
            {
                clock.Advance(TimeSpan.FromMilliseconds(step));
            }

            Assert.Equal(steps.Sum() / period, count);
        }
    }
}
