namespace Fabric.Kernel.Actor;

/// <summary>Thrown inside an actor that received <see cref="Kill"/>; the default decider stops it.</summary>
/// <param name="message">Description.</param>
public sealed class ActorKilledException(string message) : Exception(message);
