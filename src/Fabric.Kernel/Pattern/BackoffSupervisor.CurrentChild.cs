using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Pattern;

/// <content>The <see cref="CurrentChild"/> reply.</content>
public static partial class BackoffSupervisor
{
    /// <summary>Reply to <see cref="GetCurrentChild"/>.</summary>
    /// <param name="Ref">The running child, or <see langword="null"/> while it is down (waiting for its backoff).</param>
    public sealed record CurrentChild(IActorRef? Ref);
}
