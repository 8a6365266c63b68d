namespace Fabric.Kernel.Actor;

/// <summary>
/// A watcher did not handle <see cref="Terminated"/> for <see cref="DeadActor"/> (actor-semantics §1 <c>Unhandled</c>);
/// the default decider stops the watcher.
/// </summary>
/// <param name="deadActor">The watched actor that stopped.</param>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Monitored actor [{deadActor}] terminated")
{
    /// <summary>The watched actor that stopped.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}
