using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Snapshot;

namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>
/// A thread-safe in-memory <see cref="ISnapshotStore"/> for tests, with injectable <see cref="SaveBehavior"/>,
/// <see cref="LoadBehavior"/> and <see cref="ToggleAvailable"/>.
/// </summary>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<SelectedSnapshot>> _snapshots = new(StringComparer.Ordinal);
    private volatile bool _available = true;

    /// <summary>What saves do (default <see cref="SnapshotBehavior.Pass"/>).</summary>
    public SnapshotBehavior SaveBehavior { get; set; }

    /// <summary>What loads do (default <see cref="SnapshotBehavior.Pass"/>).</summary>
    public SnapshotBehavior LoadBehavior { get; set; }

    /// <summary>Makes the store available or not; while unavailable every call throws <see cref="TestSnapshotStoreFailureException"/>.</summary>
    /// <param name="available">The new state.</param>
    public void ToggleAvailable(bool available) => _available = available;

    /// <summary>The stored snapshots of <paramref name="persistenceId"/>, oldest first.</summary>
    /// <param name="persistenceId">The id.</param>
    /// <returns>A copy.</returns>
    public IReadOnlyList<SelectedSnapshot> SnapshotsOf(string persistenceId)
    {
        lock (_lock)
        {
            return _snapshots.TryGetValue(persistenceId, out var list) ? [.. list] : [];
        }
    }

    /// <inheritdoc/>
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        CheckAvailable();
        if (LoadBehavior == SnapshotBehavior.Fail)
        {
            return Task.FromException<SelectedSnapshot?>(new TestSnapshotStoreFailureException($"Injected snapshot load failure for [{persistenceId}]."));
        }

        lock (_lock)
        {
            SelectedSnapshot? best = null;
            if (_snapshots.TryGetValue(persistenceId, out var list))
            {
                foreach (var snapshot in list)
                {
                    if (criteria.Matches(snapshot.Metadata) && (best is null || snapshot.Metadata.SequenceNr > best.Metadata.SequenceNr))
                    {
                        best = snapshot;
                    }
                }
            }

            return Task.FromResult(best);
        }
    }

    /// <inheritdoc/>
    public Task SaveAsync(SnapshotMetadata metadata, string manifest, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckAvailable();
        if (SaveBehavior == SnapshotBehavior.Fail)
        {
            return Task.FromException(new TestSnapshotStoreFailureException($"Injected snapshot save failure for [{metadata.PersistenceId}]."));
        }

        lock (_lock)
        {
            if (!_snapshots.TryGetValue(metadata.PersistenceId, out var list))
            {
                list = [];
                _snapshots[metadata.PersistenceId] = list;
            }

            list.RemoveAll(s => s.Metadata.SequenceNr == metadata.SequenceNr);
            list.Add(new SelectedSnapshot(metadata, manifest, payload.ToArray()));
            list.Sort(static (a, b) => a.Metadata.SequenceNr.CompareTo(b.Metadata.SequenceNr));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckAvailable();
        lock (_lock)
        {
            if (_snapshots.TryGetValue(metadata.PersistenceId, out var list))
            {
                list.RemoveAll(s => s.Metadata.SequenceNr == metadata.SequenceNr);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        CheckAvailable();
        lock (_lock)
        {
            if (_snapshots.TryGetValue(persistenceId, out var list))
            {
                list.RemoveAll(s => criteria.Matches(s.Metadata));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Nothing to release.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void CheckAvailable()
    {
        if (!_available)
        {
            throw new TestSnapshotStoreFailureException("The snapshot store is unavailable (ToggleAvailable(false)).");
        }
    }
}
