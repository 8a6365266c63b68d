using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Scheduling;

/// <summary>
/// The system scheduler (Akka.NET <c>IScheduler</c>/<c>ITellScheduler</c>, actor-semantics §5), driven by the system's
/// <see cref="TimeProvider"/>. Jobs are not tied to any actor's lifecycle: they keep firing after a restart or stop until
/// cancelled. Inside actors prefer <see cref="ITimerScheduler"/>.
/// </summary>
public interface IScheduler
{
    /// <summary>The scheduler's clock reading.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Action scheduling.</summary>
    IAdvancedScheduler Advanced { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="receiver"/> once after <paramref name="delay"/>.</summary>
    /// <param name="delay">Delay (≥ 0).</param>
    /// <param name="receiver">The receiver.</param>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees.</param>
    /// <param name="cancelable">Optional handle that prevents the send.</param>
    void ScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender, ICancelable? cancelable = null);

    /// <summary>Like <see cref="ScheduleTellOnce"/>, returning a new handle.</summary>
    /// <param name="delay">Delay (≥ 0).</param>
    /// <param name="receiver">The receiver.</param>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees.</param>
    /// <returns>The handle that cancels the send.</returns>
    ICancelable ScheduleTellOnceCancelable(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    /// <param name="initialDelay">First delay (≥ 0).</param>
    /// <param name="interval">Period (&gt; 0).</param>
    /// <param name="receiver">The receiver.</param>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees.</param>
    /// <param name="cancelable">Optional handle that stops the repetition.</param>
    void ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef? sender,
        ICancelable? cancelable = null);

    /// <summary>Like <see cref="ScheduleTellRepeatedly"/>, returning a new handle.</summary>
    /// <param name="initialDelay">First delay (≥ 0).</param>
    /// <param name="interval">Period (&gt; 0).</param>
    /// <param name="receiver">The receiver.</param>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees.</param>
    /// <returns>The handle that stops the repetition.</returns>
    ICancelable ScheduleTellRepeatedlyCancelable(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message,
        IActorRef? sender);
}
