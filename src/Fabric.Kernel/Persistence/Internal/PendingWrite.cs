namespace Fabric.Kernel.Persistence.Internal;

/// <summary>
/// INTERNAL API. One <c>Persist</c>/<c>PersistAll</c> call turned into an atomic write, or — when an event could not be
/// serialized — into a rejection that never reaches the journal.
/// </summary>
/// <param name="Events">The serialized events (empty when rejected).</param>
/// <param name="EventCount">Number of events (and pending invocations) the call produced.</param>
/// <param name="Rejection">The serialization failure, or <see langword="null"/>.</param>
internal sealed record PendingWrite(IReadOnlyList<PersistentRepr> Events, int EventCount, Exception? Rejection);
