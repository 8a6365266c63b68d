namespace Fabric.Kernel.Actor;

/// <summary>
/// An immutable, thread-safe handle to one actor incarnation (Akka.NET <c>IActorRef</c>). Equality and ordering use the
/// path <em>and</em> the uid, so a ref to a dead incarnation never reaches a new actor with the same name (actor-semantics §2.4).
/// </summary>
public interface IActorRef : ICanTell, IEquatable<IActorRef>, IComparable<IActorRef>
{
    /// <summary>The actor's path; <see cref="ActorPath.Uid"/> identifies the incarnation.</summary>
    ActorPath Path { get; }
}
