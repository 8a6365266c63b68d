namespace Fabric.Kernel.Actor;

/// <summary>
/// Anything a message can be sent to with fire-and-forget semantics (Akka.NET <c>ICanTell</c>).
/// </summary>
public interface ICanTell
{
    /// <summary>
    /// Enqueues <paramref name="message"/> for the receiver and returns at once (at-most-once delivery,
    /// actor-semantics §2.1). A <see langword="null"/> sender is seen by the receiver as <c>DeadLetters</c>.
    /// </summary>
    /// <param name="message">The message; must not be <see langword="null"/> (<see cref="ArgumentNullException"/>).</param>
    /// <param name="sender">The sender the receiver sees as <c>Sender</c>, or <see cref="ActorRefs.NoSender"/>.</param>
    void Tell(object message, IActorRef? sender);
}
