using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Scheduling;

/// <summary>
/// The per-actor <see cref="ITimerScheduler"/> (lives in the actor cell, survives restarts). Each started timer gets a new
/// generation; <see cref="Intercept"/> delivers a <see cref="TimerMessage"/> only when its key is still active with the same
/// generation (Akka.NET <c>TimerScheduler.InterceptTimerMsg</c>).
/// </summary>
internal sealed class TimerScheduler(IActorRef self, TimeProvider timeProvider) : ITimerScheduler
{
    private readonly Dictionary<object, ActiveTimer> _timers = [];
    private int _generation;

    public IReadOnlyCollection<object> ActiveTimers => [.. _timers.Keys];

    public void StartSingleTimer(object key, object msg, TimeSpan timeout) =>
        StartTimer(key, msg, timeout, Timeout.InfiniteTimeSpan, ActorRefs.NoSender);

    public void StartSingleTimer(object key, object msg, TimeSpan timeout, IActorRef sender) =>
        StartTimer(key, msg, timeout, Timeout.InfiniteTimeSpan, sender);

    public void StartPeriodicTimer(object key, object msg, TimeSpan interval) =>
        StartTimer(key, msg, interval, CheckInterval(interval), ActorRefs.NoSender);

    public void StartPeriodicTimer(object key, object msg, TimeSpan initialDelay, TimeSpan interval) =>
        StartTimer(key, msg, initialDelay, CheckInterval(interval), ActorRefs.NoSender);

    public void StartPeriodicTimer(object key, object msg, TimeSpan initialDelay, TimeSpan interval, IActorRef sender) =>
        StartTimer(key, msg, initialDelay, CheckInterval(interval), sender);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var timer))
        {
            timer.Timer.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Timer.Dispose();
        }

        _timers.Clear();
    }

    /// <summary>The message to deliver for <paramref name="message"/>, or <see langword="null"/> when it is stale.</summary>
    public object? Intercept(TimerMessage message)
    {
        if (!ReferenceEquals(message.Owner, this)
            || !_timers.TryGetValue(message.Key, out var timer)
            || timer.Generation != message.Generation)
        {
            return null;
        }

        if (!timer.Repeat)
        {
            _timers.Remove(message.Key);
            timer.Timer.Dispose();
        }

        return message.Message;
    }

    private static TimeSpan CheckInterval(TimeSpan interval) =>
        interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");

    private void StartTimer(object key, object msg, TimeSpan delay, TimeSpan period, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(msg);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Cancel(key);
        var generation = ++_generation;
        var state = new FireState(self, new TimerMessage(key, generation, this, msg), sender);
        var timer = timeProvider.CreateTimer(static s => ((FireState)s!).Fire(), state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timers[key] = new ActiveTimer(generation, period != Timeout.InfiniteTimeSpan, timer);
        timer.Change(delay, period);
    }

    private sealed record ActiveTimer(int Generation, bool Repeat, ITimer Timer);

    private sealed record FireState(IActorRef Self, TimerMessage Message, IActorRef? Sender)
    {
        public void Fire() => Self.Tell(Message, Sender);
    }
}
