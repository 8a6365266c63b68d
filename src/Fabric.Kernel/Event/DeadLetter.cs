using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Event;

/// <summary>
/// Published on the <see cref="EventStream"/> for a message that could not be delivered: sent to a stopped or absent actor,
/// left in a mailbox or stash when its actor stopped, or a late reply to an <c>Ask</c> (actor-semantics §2.2).
/// </summary>
/// <param name="Message">The undelivered message.</param>
/// <param name="Sender">Its sender (<c>DeadLetters</c> when there was none).</param>
/// <param name="Recipient">The intended recipient.</param>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient);
