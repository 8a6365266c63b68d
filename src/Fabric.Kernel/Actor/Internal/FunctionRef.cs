using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>A reference that runs a callback synchronously on the sender's thread for each message (used by the TestKit's event filters).</summary>
internal sealed class FunctionRef(ActorSystemImpl system, ActorPath path, Action<object, IActorRef?> onMessage) : InternalActorRef
{
    private volatile bool _stopped;

    public override ActorPath Path { get; } = path;

    public override ActorSystemImpl System { get; } = system;

    public override bool IsTerminated => _stopped;

    public void Stop() => _stopped = true;

    public override void Tell(object message, IActorRef? sender)
    {
        if (!_stopped)
        {
            onMessage(message, sender);
        }
    }

    public override void SendSystemMessage(ISystemMessage message)
    {
    }
}
