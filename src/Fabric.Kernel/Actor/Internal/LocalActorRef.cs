using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>A reference to an actor living in this process: delivers into its cell's mailbox.</summary>
internal sealed class LocalActorRef : InternalActorRef
{
    public LocalActorRef(ActorCell cell) => Cell = cell;

    public ActorCell Cell { get; }

    public override ActorPath Path => Cell.SelfPath;

    public override ActorSystemImpl System => Cell.SystemImpl;

    public override bool IsTerminated => Cell.IsTerminated;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Mailbox.Enqueue(new Envelope(message, sender ?? Cell.SystemImpl.DeadLetters));
    }

    public override void SendSystemMessage(ISystemMessage message) => Cell.Mailbox.EnqueueSystem(message);
}
