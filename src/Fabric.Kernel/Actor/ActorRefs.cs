using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Actor;

/// <summary>Well-known actor references (Akka.NET <c>ActorRefs</c>).</summary>
public static class ActorRefs
{
    /// <summary>"No sender": <see langword="null"/>. The receiver sees <c>DeadLetters</c> as its <c>Sender</c>.</summary>
    public static readonly IActorRef? NoSender;

    /// <summary>A reference that silently drops every message; returned by <c>Context.Child(name)</c> for absent children.</summary>
    public static readonly IActorRef Nobody = NobodyActorRef.Instance;
}
