namespace Fabric.Kernel.Scheduling;

/// <summary>Schedules plain actions (Akka.NET <c>IActionScheduler</c>); actions run on a timer thread, not on an actor.</summary>
public interface IAdvancedScheduler
{
    /// <summary>Runs <paramref name="action"/> once after <paramref name="delay"/>.</summary>
    /// <param name="delay">Delay (≥ 0).</param>
    /// <param name="action">The action.</param>
    /// <param name="cancelable">Optional handle that prevents the run.</param>
    void ScheduleOnce(TimeSpan delay, Action action, ICancelable? cancelable = null);

    /// <summary>Runs <paramref name="action"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    /// <param name="initialDelay">First delay (≥ 0).</param>
    /// <param name="interval">Period (&gt; 0).</param>
    /// <param name="action">The action.</param>
    /// <param name="cancelable">Optional handle that stops the repetition.</param>
    void ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable? cancelable = null);
}
