using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary><see cref="ActorRefs.Nobody"/>: drops every message; watching it yields an immediate <see cref="Terminated"/>.</summary>
internal sealed class NobodyActorRef : InternalActorRef
{
    private NobodyActorRef()
    {
    }

    public static NobodyActorRef Instance { get; } = new();

    public override ActorPath Path { get; } = ActorPath.CreateRoot("all-systems") / "Nobody";

    public override ActorSystemImpl? System => null;

    public override bool IsTerminated => true;

    public override void Tell(object message, IActorRef? sender)
    {
        if (message is Identify identify && sender is not null)
        {
            sender.Tell(new ActorIdentity(identify.MessageId, null), this);
        }
    }

    public override void SendSystemMessage(ISystemMessage message)
    {
        if (message is Watch w)
        {
            w.Watcher.SendSystemMessage(new DeathWatchNotification(this, ExistenceConfirmed: false, AddressTerminated: false));
        }
    }
}
