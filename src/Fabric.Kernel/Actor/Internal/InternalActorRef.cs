using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>Base of every kernel reference: equality/ordering by path and uid, plus system-message delivery.</summary>
internal abstract class InternalActorRef : IActorRef
{
    public abstract ActorPath Path { get; }

    /// <summary>The owning system, or <see langword="null"/> for <see cref="NobodyActorRef"/>.</summary>
    public abstract ActorSystemImpl? System { get; }

    public virtual bool IsTerminated => false;

    public abstract void Tell(object message, IActorRef? sender);

    public abstract void SendSystemMessage(ISystemMessage message);

    public bool Equals(IActorRef? other) =>
        other is not null && Path.Uid == other.Path.Uid && Path.Equals(other.Path);

    public override bool Equals(object? obj) => obj is IActorRef other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Path, Path.Uid);

    public int CompareTo(IActorRef? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Path.CompareTo(other.Path);
        return c != 0 ? c : Path.Uid.CompareTo(other.Path.Uid);
    }

    public override string ToString() => $"[{Path.ToSerializationFormat()}]";
}
