namespace Fabric.Kernel.Actor;

/// <summary>No reply arrived within an <c>Ask</c>'s timeout (actor-semantics §2.3).</summary>
/// <param name="message">Description naming the target and the timeout.</param>
public sealed class AskTimeoutException(string message) : TimeoutException(message);
