using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Event;

/// <summary>Published on the <see cref="EventStream"/> when an actor's behavior did not handle a message (default <c>Unhandled</c>).</summary>
/// <param name="Message">The unhandled message.</param>
/// <param name="Sender">Its sender.</param>
/// <param name="Recipient">The actor that did not handle it.</param>
public sealed record UnhandledMessage(object Message, IActorRef Sender, IActorRef Recipient);
