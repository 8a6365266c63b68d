using System.Collections.Concurrent;
using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Scheduling;

/// <summary>
/// <see cref="IScheduler"/> over <see cref="TimeProvider.CreateTimer"/>: precise to the provider's timer resolution, and on a
/// virtual provider jobs fire inside its <c>Advance</c>. Live timers are rooted here until they finish or are cancelled;
/// <see cref="Shutdown"/> disposes them all.
/// </summary>
internal sealed class TimeProviderScheduler(TimeProvider timeProvider) : IScheduler, IAdvancedScheduler
{
    private readonly ConcurrentDictionary<Job, byte> _jobs = new();
    private volatile bool _shutdown;

    public DateTimeOffset Now => timeProvider.GetUtcNow();

    public IAdvancedScheduler Advanced => this;

    public void ScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender, ICancelable? cancelable = null)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        Schedule(delay, Timeout.InfiniteTimeSpan, () => receiver.Tell(message, sender), cancelable);
    }

    public ICancelable ScheduleTellOnceCancelable(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender)
    {
        var c = new Cancelable();
        ScheduleTellOnce(delay, receiver, message, sender, c);
        return c;
    }

    public void ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message,
        IActorRef? sender, ICancelable? cancelable = null)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        Schedule(initialDelay, CheckInterval(interval), () => receiver.Tell(message, sender), cancelable);
    }

    public ICancelable ScheduleTellRepeatedlyCancelable(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver,
        object message, IActorRef? sender)
    {
        var c = new Cancelable();
        ScheduleTellRepeatedly(initialDelay, interval, receiver, message, sender, c);
        return c;
    }

    public void ScheduleOnce(TimeSpan delay, Action action, ICancelable? cancelable = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        Schedule(delay, Timeout.InfiniteTimeSpan, action, cancelable);
    }

    public void ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable? cancelable = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        Schedule(initialDelay, CheckInterval(interval), action, cancelable);
    }

    public void Shutdown()
    {
        _shutdown = true;
        foreach (var job in _jobs.Keys)
        {
            job.Dispose();
        }
    }

    private static TimeSpan CheckInterval(TimeSpan interval) =>
        interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");

    private void Schedule(TimeSpan delay, TimeSpan period, Action action, ICancelable? cancelable)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        if (_shutdown || cancelable?.IsCancellationRequested == true)
        {
            return;
        }

        var job = new Job(this, action, cancelable, period != Timeout.InfiniteTimeSpan);
        _jobs[job] = 0;
        job.Start(timeProvider, delay, period);
    }

    private sealed class Job(TimeProviderScheduler owner, Action action, ICancelable? cancelable, bool repeated) : IDisposable
    {
        private readonly object _lock = new();
        private ITimer? _timer;
        private CancellationTokenRegistration _registration;
        private bool _disposed;

        public void Start(TimeProvider timeProvider, TimeSpan delay, TimeSpan period)
        {
            if (cancelable is not null)
            {
                _registration = cancelable.Token.Register(static s => ((Job)s!).Dispose(), this);
            }

            var timer = timeProvider.CreateTimer(static s => ((Job)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            lock (_lock)
            {
                if (_disposed)
                {
                    timer.Dispose();
                    return;
                }

                _timer = timer;
            }

            timer.Change(delay, period);
        }

        public void Dispose()
        {
            ITimer? timer;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                timer = _timer;
            }

            timer?.Dispose();
            _registration.Dispose();
            owner._jobs.TryRemove(this, out _);
        }

        private void Fire()
        {
            if (_disposed || cancelable?.IsCancellationRequested == true || owner._shutdown)
            {
                Dispose();
                return;
            }

            if (!repeated)
            {
                Dispose();
            }

            action();
        }
    }
}
