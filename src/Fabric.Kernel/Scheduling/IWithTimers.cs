namespace Fabric.Kernel.Scheduling;

/// <summary>
/// Implemented by actors that use keyed timers; the kernel sets <see cref="Timers"/> before the actor's constructor body runs
/// (Akka.NET <c>IWithTimers</c>).
/// </summary>
public interface IWithTimers
{
    /// <summary>The actor's timer scheduler (injected by the kernel).</summary>
    ITimerScheduler Timers { get; set; }
}
