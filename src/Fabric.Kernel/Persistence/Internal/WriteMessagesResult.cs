namespace Fabric.Kernel.Persistence.Internal;

/// <summary>
/// INTERNAL API. Outcome of one journal write of the actor's in-flight batch: <paramref name="Results"/> (one per atomic
/// write sent, null = stored) or, when the journal threw, <paramref name="Failure"/>.
/// </summary>
internal sealed record WriteMessagesResult(int InstanceId, IReadOnlyList<Exception?>? Results, Exception? Failure) : IPersistenceInternalMessage;
