namespace Fabric.Kernel.Actor.Internal;

/// <content>Receive timeout: a sliding idle timer on the system's <see cref="TimeProvider"/> (actor-semantics §5).</content>
internal sealed partial class ActorCell
{
    private TimeSpan? _receiveTimeoutDuration;
    private ITimer? _receiveTimeoutTimer;

    public TimeSpan? ReceiveTimeout => _receiveTimeoutDuration;

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        _receiveTimeoutDuration = timeout is { } t && t > TimeSpan.Zero && t != Timeout.InfiniteTimeSpan ? t : null;
        if (_receiveTimeoutDuration is null)
        {
            CancelReceiveTimeoutTimer();
        }
    }

    /// <summary>Arms the idle timer after a message (re-arms when <paramref name="reschedule"/>).</summary>
    private void CheckReceiveTimeout(bool reschedule)
    {
        if (_receiveTimeoutDuration is not { } duration || _isTerminating || _terminated || _actor is null)
        {
            CancelReceiveTimeoutTimer();
            return;
        }

        if (!reschedule && _receiveTimeoutTimer is not null)
        {
            return;
        }

        CancelReceiveTimeoutTimer();
        _receiveTimeoutTimer = _system.TimeProvider.CreateTimer(
            static s => ((IActorRef)s!).Tell(global::Fabric.Kernel.Actor.ReceiveTimeout.Instance, null),
            _self, duration, Timeout.InfiniteTimeSpan);
    }

    private void CancelReceiveTimeoutTimer()
    {
        _receiveTimeoutTimer?.Dispose();
        _receiveTimeoutTimer = null;
    }
}
