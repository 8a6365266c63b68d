using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence.Internal;
using Fabric.Kernel.Scheduling;

namespace Fabric.Kernel.Persistence;

/// <content>
/// Recovery (actor-semantics §6, "Recovery order"): snapshot offer, replay with Sender = DeadLetters, RecoveryCompleted,
/// then the stashed commands. Journal and snapshot-store calls run on the thread pool; their results come back to the actor
/// as messages tagged with this incarnation's instance id.
/// </content>
public abstract partial class Eventsourced
{
    private Recovery _recovery = Recovery.Default;
    private ICancelable? _recoveryTimeout;
    private bool _recoveryProgressed;

    private void StartRecovery()
    {
        var extension = Extension;
        _recovery = Recovery ?? throw new InvalidOperationException("Recovery must not be null.");
        _state = EventsourcedState.Recovering;
        _recoveryProgressed = false;
        var timeout = extension.Setup.RecoveryEventTimeout;
        _recoveryTimeout = Cell.System.Scheduler.ScheduleTellRepeatedlyCancelable(timeout, timeout, Self, new RecoveryTick(_instanceId), ActorRefs.NoSender);

        var self = Self;
        var instanceId = _instanceId;
        var persistenceId = PersistenceId;
        var criteria = _recovery.FromSnapshot;
        if (criteria == SnapshotSelectionCriteria.None || _recovery.ToSequenceNr == 0)
        {
            self.Tell(new LoadSnapshotResult(instanceId, null), ActorRefs.NoSender);
            return;
        }

        criteria = criteria with { MaxSequenceNr = Math.Min(criteria.MaxSequenceNr, _recovery.ToSequenceNr) };
        var store = extension.SnapshotStore;
        _ = Task.Run(async () =>
        {
            try
            {
                var snapshot = await store.LoadAsync(persistenceId, criteria).ConfigureAwait(false);
                self.Tell(new LoadSnapshotResult(instanceId, snapshot), ActorRefs.NoSender);
            }
            catch (Exception e)
            {
                self.Tell(new LoadSnapshotFailed(instanceId, e), ActorRefs.NoSender);
            }
        });
    }

    private void HandleRecoveryResponse(IPersistenceInternalMessage response)
    {
        if (_state != EventsourcedState.Recovering)
        {
            return;
        }

        switch (response)
        {
            case LoadSnapshotResult loaded:
                OnSnapshotLoaded(loaded.Snapshot);
                break;
            case LoadSnapshotFailed failed:
                FailRecovery(failed.Cause, null);
                break;
            case ReplayedMessage replayed:
                OnReplayed(replayed.Persistent);
                break;
            case RecoverySuccess success:
                OnRecoverySuccess(success.HighestSequenceNr);
                break;
            case ReplayFailed failed:
                FailRecovery(failed.Cause, null);
                break;
            case RecoveryTick:
                if (!_recoveryProgressed)
                {
                    FailRecovery(new RecoveryTimedOutException(
                        $"Recovery of persistenceId [{PersistenceId}] timed out: no snapshot or event within {Extension.Setup.RecoveryEventTimeout} (last sequence number {LastSequenceNr})."), null);
                }

                _recoveryProgressed = false;
                break;
        }
    }

    private void OnSnapshotLoaded(SelectedSnapshot? snapshot)
    {
        _recoveryProgressed = true;
        if (snapshot is not null)
        {
            object state;
            try
            {
                state = Extension.Serializers.Deserialize(snapshot.Payload.Span, snapshot.Manifest);
            }
            catch (Exception e)
            {
                FailRecovery(e, snapshot);
                return;
            }

            LastSequenceNr = _sequenceNr = snapshot.Metadata.SequenceNr;
            if (!CallRecover(new SnapshotOffer(snapshot.Metadata, state)))
            {
                return;
            }
        }

        StartReplay(LastSequenceNr + 1);
    }

    private void StartReplay(long fromSequenceNr)
    {
        var self = Self;
        var instanceId = _instanceId;
        var persistenceId = PersistenceId;
        var toSequenceNr = _recovery.ToSequenceNr;
        var replayMax = _recovery.ReplayMax;
        var journal = Extension.Journal;
        _ = Task.Run(async () =>
        {
            try
            {
                var highest = await journal.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr).ConfigureAwait(false);
                var to = Math.Min(toSequenceNr, highest);
                if (to >= fromSequenceNr && replayMax > 0)
                {
                    await journal.ReplayMessagesAsync(persistenceId, fromSequenceNr, to, replayMax,
                        repr => self.Tell(new ReplayedMessage(instanceId, repr), ActorRefs.NoSender)).ConfigureAwait(false);
                }

                self.Tell(new RecoverySuccess(instanceId, highest), ActorRefs.NoSender);
            }
            catch (Exception e)
            {
                self.Tell(new ReplayFailed(instanceId, e), ActorRefs.NoSender);
            }
        });
    }

    private void OnReplayed(PersistentRepr persistent)
    {
        _recoveryProgressed = true;
        object @event;
        try
        {
            @event = Extension.Serializers.Deserialize(persistent.Payload.Span, persistent.Manifest);
        }
        catch (Exception e)
        {
            FailRecovery(e, persistent);
            return;
        }

        LastSequenceNr = _sequenceNr = persistent.SequenceNr;
        CallRecover(@event);
    }

    private void OnRecoverySuccess(long highestSequenceNr)
    {
        CancelRecoveryTimeout();
        LastSequenceNr = _sequenceNr = Math.Max(highestSequenceNr, LastSequenceNr);
        _state = EventsourcedState.ProcessingCommands;
        if (!CallRecover(RecoveryCompleted.Instance))
        {
            return;
        }

        FlushBatch();
        if (_pendingStashingPersistInvocations > 0)
        {
            _state = EventsourcedState.PersistingEvents;
        }
        else
        {
            _internalStash.UnstashAll();
        }
    }

    /// <summary>Runs the recover handler with Sender = DeadLetters; a throw fails the recovery.</summary>
    private bool CallRecover(object message)
    {
        Cell.SetCurrentSender(Cell.System.DeadLetters);
        try
        {
            if (!ReceiveRecover(message) && message is not RecoveryCompleted)
            {
                Unhandled(message);
            }

            return true;
        }
        catch (Exception e)
        {
            FailRecovery(e, message);
            return false;
        }
    }

    private void FailRecovery(Exception cause, object? message)
    {
        CancelRecoveryTimeout();
        _state = EventsourcedState.Stopped;
        try
        {
            OnRecoveryFailure(cause, message);
        }
        finally
        {
            StopSelf();
        }
    }

    private void CancelRecoveryTimeout()
    {
        _recoveryTimeout?.Cancel();
        _recoveryTimeout = null;
    }
}
