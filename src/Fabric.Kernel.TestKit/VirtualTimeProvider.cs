namespace Fabric.Kernel.TestKit;

/// <summary>
/// A manually driven clock for tests (a stand-in for <c>FakeTimeProvider</c>, which is not available here). Time moves only
/// through <see cref="Advance"/> / <see cref="SetUtcNow"/>; timers created with <see cref="CreateTimer"/> fire synchronously
/// inside <see cref="Advance"/> on the calling thread, in due-time order (ties in creation order), with the clock set to each
/// timer's due time while it runs; periodic timers are re-armed, and timers created or changed by callbacks during an advance
/// fire too when they fall due within it. A timer with due time zero fires immediately on the thread that arms it.
/// <see cref="GetTimestamp"/> counts ticks (100 ns, <see cref="TimestampFrequency"/> = 10 000 000/s) of virtual time since
/// <see cref="Start"/>. Thread-safe.
/// </summary>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly object _advanceLock = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>Creates a clock starting at 2000-01-01T00:00:00Z.</summary>
    public VirtualTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Creates a clock starting at <paramref name="start"/>.</summary>
    /// <param name="start">The initial virtual time.</param>
    public VirtualTimeProvider(DateTimeOffset start)
    {
        Start = start;
        _now = start;
    }

    /// <summary>The initial virtual time.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Number of armed timers (useful to await that an actor has scheduled something).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp() => (GetUtcNow() - Start).Ticks;

    /// <summary>Moves time forward by <paramref name="delta"/>, firing every timer that falls due.</summary>
    /// <param name="delta">How far to move (≥ 0).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_advanceLock)
        {
            DateTimeOffset target;
            lock (_lock)
            {
                target = _now + delta;
            }

            while (true)
            {
                VirtualTimer? next = null;
                lock (_lock)
                {
                    foreach (var t in _timers)
                    {
                        if (t.Due <= target && (next is null || t.Due < next.Due || (t.Due == next.Due && t.Sequence < next.Sequence)))
                        {
                            next = t;
                        }
                    }

                    if (next is null)
                    {
                        _now = target;
                        break;
                    }

                    if (next.Due > _now)
                    {
                        _now = next.Due;
                    }

                    if (next.Period > TimeSpan.Zero)
                    {
                        next.Due += next.Period;
                    }
                    else
                    {
                        _timers.Remove(next);
                    }
                }

                next.Fire();
            }
        }
    }

    /// <summary>Moves time forward to <paramref name="value"/>, firing due timers.</summary>
    /// <param name="value">The new time (not before the current time).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is in the past.</exception>
    public void SetUtcNow(DateTimeOffset value)
    {
        var now = GetUtcNow();
        if (value < now)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Virtual time cannot go backwards (now {now:O}).");
        }

        Advance(value - now);
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private static void Check(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be non-negative or Timeout.InfiniteTimeSpan.");
        }
    }

    private bool Arm(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        Check(dueTime, nameof(dueTime));
        Check(period, nameof(period));
        bool fireNow;
        lock (_lock)
        {
            if (timer.Disposed)
            {
                return false;
            }

            _timers.Remove(timer);
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            timer.Sequence = ++_sequence;
            fireNow = dueTime == TimeSpan.Zero;
            timer.Due = _now + dueTime;
            if (fireNow)
            {
                if (timer.Period > TimeSpan.Zero)
                {
                    timer.Due = _now + timer.Period;
                    _timers.Add(timer);
                }
            }
            else
            {
                _timers.Add(timer);
            }
        }

        if (fireNow)
        {
            timer.Fire();
        }

        return true;
    }

    private void Disarm(VirtualTimer timer)
    {
        lock (_lock)
        {
            timer.Disposed = true;
            _timers.Remove(timer);
        }
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Arm(this, dueTime, period);

        public void Fire() => callback(state);

        public void Dispose() => owner.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
