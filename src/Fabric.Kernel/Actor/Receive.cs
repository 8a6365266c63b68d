namespace Fabric.Kernel.Actor;

/// <summary>
/// A behavior: handles <paramref name="message"/> and returns <see langword="true"/>, or returns <see langword="false"/>
/// so the actor's <c>Unhandled</c> runs (Akka.NET <c>Receive</c> delegate, used by <c>Become</c>).
/// </summary>
/// <param name="message">The message being processed.</param>
/// <returns><see langword="true"/> when the message was handled.</returns>
public delegate bool Receive(object message);
