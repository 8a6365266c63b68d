namespace Fabric.Kernel.Actor;

/// <summary>An operation is not valid in the actor's current state, e.g. stashing the same message twice.</summary>
/// <param name="message">Description.</param>
public sealed class IllegalActorStateException(string message) : Exception(message);
