using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Persistence;

/// <content>
/// Snapshots and deletion (actor-semantics §6): every outcome arrives later as a command message
/// (<see cref="SaveSnapshotSuccess"/>, <see cref="DeleteMessagesFailure"/>, …); none is fatal.
/// </content>
public abstract partial class Eventsourced
{
    /// <summary>
    /// Saves <paramref name="snapshot"/> as the state at <see cref="SnapshotSequenceNr"/>; later a
    /// <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/> (also for a serialization error) arrives as a
    /// command.
    /// </summary>
    /// <param name="snapshot">The state (serialized through the registry).</param>
    protected void SaveSnapshot(object snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = new SnapshotMetadata(PersistenceId, SnapshotSequenceNr, Cell.System.TimeProvider.GetUtcNow().UtcDateTime);
        string manifest;
        byte[] bytes;
        try
        {
            (manifest, bytes) = Extension.Serializers.Serialize(snapshot);
        }
        catch (Exception e)
        {
            Self.Tell(new SaveSnapshotFailure(metadata, e), ActorRefs.NoSender);
            return;
        }

        var store = Extension.SnapshotStore;
        Reply(() => store.SaveAsync(metadata, manifest, bytes), () => new SaveSnapshotSuccess(metadata), e => new SaveSnapshotFailure(metadata, e));
    }

    /// <summary>
    /// Deletes every event up to <paramref name="toSequenceNr"/> (inclusive); then <see cref="DeleteMessagesSuccess"/> or
    /// <see cref="DeleteMessagesFailure"/> arrives as a command. The highest sequence number is never lowered: events
    /// persisted after a restart continue the numbering.
    /// </summary>
    /// <param name="toSequenceNr">At most <see cref="LastSequenceNr"/>, or <see cref="long.MaxValue"/> for all; a larger value fails.</param>
    protected void DeleteMessages(long toSequenceNr)
    {
        if (toSequenceNr != long.MaxValue && toSequenceNr > LastSequenceNr)
        {
            Self.Tell(new DeleteMessagesFailure(new ArgumentOutOfRangeException(nameof(toSequenceNr), toSequenceNr,
                $"Unable to delete messages beyond the last sequence number {LastSequenceNr}."), toSequenceNr), ActorRefs.NoSender);
            return;
        }

        var journal = Extension.Journal;
        var persistenceId = PersistenceId;
        Reply(() => journal.DeleteMessagesToAsync(persistenceId, toSequenceNr), () => new DeleteMessagesSuccess(toSequenceNr),
            e => new DeleteMessagesFailure(e, toSequenceNr));
    }

    /// <summary>
    /// Deletes the snapshot taken at <paramref name="sequenceNr"/>; then <see cref="DeleteSnapshotSuccess"/> or
    /// <see cref="DeleteSnapshotFailure"/> arrives as a command.
    /// </summary>
    /// <param name="sequenceNr">The snapshot's sequence number.</param>
    protected void DeleteSnapshot(long sequenceNr)
    {
        var metadata = new SnapshotMetadata(PersistenceId, sequenceNr, DateTime.MinValue);
        var store = Extension.SnapshotStore;
        Reply(() => store.DeleteAsync(metadata), () => new DeleteSnapshotSuccess(metadata), e => new DeleteSnapshotFailure(metadata, e));
    }

    /// <summary>
    /// Deletes every snapshot matching <paramref name="criteria"/>; then <see cref="DeleteSnapshotsSuccess"/> or
    /// <see cref="DeleteSnapshotsFailure"/> arrives as a command.
    /// </summary>
    /// <param name="criteria">The selection.</param>
    protected void DeleteSnapshots(SnapshotSelectionCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var store = Extension.SnapshotStore;
        var persistenceId = PersistenceId;
        Reply(() => store.DeleteAsync(persistenceId, criteria), () => new DeleteSnapshotsSuccess(criteria), e => new DeleteSnapshotsFailure(criteria, e));
    }

    /// <summary>Runs <paramref name="operation"/> on the thread pool and tells this actor the outcome.</summary>
    private void Reply(Func<Task> operation, Func<object> success, Func<Exception, object> failure)
    {
        var self = Self;
        _ = Task.Run(async () =>
        {
            object outcome;
            try
            {
                await operation().ConfigureAwait(false);
                outcome = success();
            }
            catch (Exception e)
            {
                outcome = failure(e);
            }

            self.Tell(outcome, ActorRefs.NoSender);
        });
    }
}
