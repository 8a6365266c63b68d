using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Scheduling;

/// <summary>What a keyed timer actually enqueues; unwrapped (or dropped when stale) by <see cref="TimerScheduler"/>.</summary>
internal sealed record TimerMessage(object Key, int Generation, TimerScheduler Owner, object Message)
{
    public bool InfluencesReceiveTimeout => Message is not INotInfluenceReceiveTimeout;
}
