namespace Fabric.Kernel.Actor.Internal;

/// <summary><c>/user</c> and <c>/system</c>: parents of top-level actors; handle nothing themselves.</summary>
internal sealed class GuardianActor : ActorBase
{
    protected override bool Receive(object message) => false;

    protected override void PreRestart(Exception reason, object? message)
    {
        // A guardian is never restarted with its children stopped: the root stops it instead.
    }
}
