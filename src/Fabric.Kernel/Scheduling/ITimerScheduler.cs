using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Scheduling;

/// <summary>
/// Keyed timers that send messages to the owning actor (Akka.NET <c>ITimerScheduler</c>, actor-semantics §5). Starting a
/// timer with an existing key replaces it; a message from a replaced or cancelled timer is never delivered, even if already
/// queued. All timers are cancelled on restart and on stop. Not thread-safe: call only from inside the owning actor.
/// Driven by the system's <see cref="TimeProvider"/>.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="msg"/> to self once after <paramref name="timeout"/>.</summary>
    /// <param name="key">Timer key.</param>
    /// <param name="msg">The message.</param>
    /// <param name="timeout">Delay (≥ 0).</param>
    void StartSingleTimer(object key, object msg, TimeSpan timeout);

    /// <summary>Sends <paramref name="msg"/> to self once after <paramref name="timeout"/> with the given sender.</summary>
    /// <param name="key">Timer key.</param>
    /// <param name="msg">The message.</param>
    /// <param name="timeout">Delay (≥ 0).</param>
    /// <param name="sender">The sender the actor sees.</param>
    void StartSingleTimer(object key, object msg, TimeSpan timeout, IActorRef sender);

    /// <summary>Sends <paramref name="msg"/> to self every <paramref name="interval"/>, the first after one interval.</summary>
    /// <param name="key">Timer key.</param>
    /// <param name="msg">The message.</param>
    /// <param name="interval">Period (&gt; 0).</param>
    void StartPeriodicTimer(object key, object msg, TimeSpan interval);

    /// <summary>Sends <paramref name="msg"/> to self after <paramref name="initialDelay"/>, then every <paramref name="interval"/>.</summary>
    /// <param name="key">Timer key.</param>
    /// <param name="msg">The message.</param>
    /// <param name="initialDelay">First delay (≥ 0).</param>
    /// <param name="interval">Period (&gt; 0).</param>
    void StartPeriodicTimer(object key, object msg, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>Like <see cref="StartPeriodicTimer(object, object, TimeSpan, TimeSpan)"/> with the given sender.</summary>
    /// <param name="key">Timer key.</param>
    /// <param name="msg">The message.</param>
    /// <param name="initialDelay">First delay (≥ 0).</param>
    /// <param name="interval">Period (&gt; 0).</param>
    /// <param name="sender">The sender the actor sees.</param>
    void StartPeriodicTimer(object key, object msg, TimeSpan initialDelay, TimeSpan interval, IActorRef sender);

    /// <summary>Whether a timer with <paramref name="key"/> is active (a fired single timer is no longer active once delivered).</summary>
    /// <param name="key">Timer key.</param>
    /// <returns><see langword="true"/> when active.</returns>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer with <paramref name="key"/>; no-op when absent.</summary>
    /// <param name="key">Timer key.</param>
    void Cancel(object key);

    /// <summary>Cancels every timer.</summary>
    void CancelAll();

    /// <summary>Keys of the active timers.</summary>
    IReadOnlyCollection<object> ActiveTimers { get; }
}
