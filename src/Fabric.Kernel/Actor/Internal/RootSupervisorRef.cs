using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// The parent of the root guardian (Akka's "bubble walker"): stops the root if it fails and completes the system's
/// termination when the root has stopped.
/// </summary>
internal sealed class RootSupervisorRef(ActorSystemImpl system, ActorPath path) : InternalActorRef
{
    public override ActorPath Path { get; } = path;

    public override ActorSystemImpl System { get; } = system;

    public override void Tell(object message, IActorRef? sender) =>
        System.DeadLetterRef.Publish(message, sender ?? System.DeadLetters, this);

    public override void SendSystemMessage(ISystemMessage message)
    {
        switch (message)
        {
            case Failed f:
                System.Log.Error(f.Cause, $"Root guardian failed, shutting down the system: {f.Cause.Message}");
                ((InternalActorRef)f.Child).SendSystemMessage(Dispatch.Terminate.Instance);
                break;
            case DeathWatchNotification:
                System.OnRootTerminated();
                break;
        }
    }
}
