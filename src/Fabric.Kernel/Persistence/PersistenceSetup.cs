using Fabric.Kernel.Persistence.Journal;
using Fabric.Kernel.Persistence.Snapshot;

namespace Fabric.Kernel.Persistence;

/// <summary>
/// The persistence plugins and settings of one actor system (Akka.Persistence's <c>akka.persistence</c> configuration
/// section), registered with <see cref="Persistence.Register"/>.
/// </summary>
public sealed class PersistenceSetup
{
    /// <summary>The journal plugin (SQLite, PostgreSQL or the TestKit's in-memory journal); wrapped in a <see cref="GroupCommitJournal"/>.</summary>
    public required IJournal Journal { get; init; }

    /// <summary>The snapshot store plugin.</summary>
    public required ISnapshotStore SnapshotStore { get; init; }

    /// <summary>Turns events and snapshots into manifest + bytes and back.</summary>
    public required SerializerRegistry Serializers { get; init; }

    /// <summary>
    /// Longest wait for the snapshot and for each replayed event during recovery before the recovery fails with
    /// <see cref="RecoveryTimedOutException"/> (Akka <c>recovery-event-timeout</c>, default 30 s).
    /// </summary>
    public TimeSpan RecoveryEventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most events the group-commit writer hands to one inner <see cref="IJournal.WriteMessagesAsync"/> call (default 1000).</summary>
    public int MaxGroupCommitBatch { get; init; } = 1000;
}
