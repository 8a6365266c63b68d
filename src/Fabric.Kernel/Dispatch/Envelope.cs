using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Dispatch;

/// <summary>A user message with its sender, as queued in a mailbox.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">The sender (never <see langword="null"/>: no sender is <c>DeadLetters</c>).</param>
internal readonly record struct Envelope(object Message, IActorRef Sender);
