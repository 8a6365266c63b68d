namespace Fabric.Kernel.Actor;

/// <summary>
/// A child name is empty, starts with <c>$</c>, contains characters outside the path alphabet, or is still reserved by a
/// child whose termination the parent has not processed yet (actor-semantics §2.4).
/// </summary>
/// <param name="message">Description naming the offending name.</param>
public sealed class InvalidActorNameException(string message) : Exception(message);
