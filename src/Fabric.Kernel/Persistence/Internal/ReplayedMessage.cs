namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. One event replayed by the journal during recovery (sent with no sender, seen as DeadLetters).</summary>
internal sealed record ReplayedMessage(int InstanceId, PersistentRepr Persistent) : IPersistenceInternalMessage;
