namespace Fabric.Kernel.Persistence.Snapshot;

/// <summary>A snapshot store plugin (Akka.Persistence <c>SnapshotStore</c>): saves, loads and deletes serialized snapshots.</summary>
public interface ISnapshotStore : IAsyncDisposable
{
    /// <summary>The newest snapshot of <paramref name="persistenceId"/> matching <paramref name="criteria"/>, or null.</summary>
    Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default);

    /// <summary>Saves (or replaces) the snapshot identified by <paramref name="metadata"/>.</summary>
    Task SaveAsync(SnapshotMetadata metadata, string manifest, ReadOnlyMemory<byte> payload, CancellationToken ct = default);

    /// <summary>Deletes the snapshot with exactly this persistence id and sequence number.</summary>
    Task DeleteAsync(SnapshotMetadata metadata, CancellationToken ct = default);

    /// <summary>Deletes every snapshot of <paramref name="persistenceId"/> matching <paramref name="criteria"/>.</summary>
    Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default);
}
