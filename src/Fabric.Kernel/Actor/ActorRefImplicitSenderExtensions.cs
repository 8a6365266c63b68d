using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Actor;

/// <summary>
/// <c>Tell</c>/<c>Forward</c> with an implicit sender (Akka.NET <c>ActorRefImplicitSenderExtensions</c>).
/// </summary>
public static class ActorRefImplicitSenderExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with the current actor's <c>Self</c> as sender when called from inside an actor's
    /// message handler or lifecycle hook, otherwise with <see cref="ActorRefs.NoSender"/> (in a TestKit test body: its
    /// <c>TestActor</c>).
    /// </summary>
    /// <param name="receiver">The receiver.</param>
    /// <param name="message">The message (not <see langword="null"/>).</param>
    public static void Tell(this ICanTell receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorCell.Current?.Self ?? ImplicitSender.Current);
    }

    /// <summary>
    /// Sends <paramref name="message"/> keeping the current message's original <c>Sender</c> (so replies go to it);
    /// outside an actor it is sent with <see cref="ActorRefs.NoSender"/>.
    /// </summary>
    /// <param name="receiver">The receiver.</param>
    /// <param name="message">The message (not <see langword="null"/>).</param>
    public static void Forward(this ICanTell receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorCell.Current?.Sender);
    }
}
