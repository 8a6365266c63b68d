using Fabric.Kernel.Persistence.Journal;
using Fabric.Kernel.Persistence.Snapshot;

namespace Fabric.Kernel.Persistence;

/// <summary>
/// The persistence plugins of one actor system, as persistent actors use them: the journal (behind a group-commit writer),
/// the snapshot store, the serializers and write statistics.
/// </summary>
public sealed class PersistenceExtension
{
    internal PersistenceExtension(PersistenceSetup setup)
    {
        Setup = setup;
        Statistics = new JournalStatistics();
        Journal = new GroupCommitJournal(setup.Journal, setup.MaxGroupCommitBatch, Statistics);
        SnapshotStore = setup.SnapshotStore;
        Serializers = setup.Serializers;
    }

    /// <summary>The settings this extension was registered with.</summary>
    public PersistenceSetup Setup { get; }

    /// <summary>The group-commit wrapper around <see cref="PersistenceSetup.Journal"/>: every persistent actor writes through it.</summary>
    public IJournal Journal { get; }

    /// <summary>The snapshot store.</summary>
    public ISnapshotStore SnapshotStore { get; }

    /// <summary>The serializers for events and snapshots.</summary>
    public SerializerRegistry Serializers { get; }

    /// <summary>Counters of the group-commit writer: events written, batches, failures, write latency (ms).</summary>
    public JournalStatistics Statistics { get; }
}
