namespace Fabric.Actors.Diagnostics;

/// <summary>Thrown by an actor on purpose by fault injection (<c>debug/crash</c>); its supervisor restarts it.</summary>
public sealed class InjectedFailureException(string message) : Exception(message);
