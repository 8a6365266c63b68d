namespace Fabric.Kernel.Persistence.Journal;

/// <summary>
/// Events of one persistence id that are stored all together or not at all (Akka.Persistence
/// <c>AtomicWrite</c>: one <c>Persist</c> or <c>PersistAll</c> call).
/// </summary>
/// <param name="Payload">Events in sequence-number order, all of one persistence id.</param>
public sealed record AtomicWrite(IReadOnlyList<PersistentRepr> Payload);
