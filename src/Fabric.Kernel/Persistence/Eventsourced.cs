using Fabric.Kernel.Actor;
using Fabric.Kernel.Actor.Internal;
using Fabric.Kernel.Persistence.Internal;

namespace Fabric.Kernel.Persistence;

/// <summary>
/// Base of the persistent actors (Akka.Persistence <c>Eventsourced</c>, actor-semantics §6): recovers its state from the
/// newest snapshot and the events after it on start <em>and</em> on every restart (commands arriving meanwhile are
/// stashed), then processes commands; <c>Persist</c> writes events through the system's
/// <see cref="PersistenceExtension.Journal"/> and runs their handlers once stored. Derive from
/// <see cref="UntypedPersistentActor"/> or <see cref="ReceivePersistentActor"/>. Requires
/// <see cref="Persistence.Register"/> on the actor system (otherwise the actor fails to start).
/// </summary>
/// <remarks>
/// Failure rules: a journal write that throws ⇒ <see cref="OnPersistFailure"/>, then the actor is stopped (wrap it in a
/// <c>BackoffSupervisor</c> with <c>Backoff.OnStop</c>); a rejected write (or an event the serializers cannot handle) ⇒
/// <see cref="OnPersistRejected"/>, the handler is skipped and the actor continues; any recovery failure (journal or
/// snapshot store error, undeserializable payload, a recover handler that throws, timeout) ⇒ <see cref="OnRecoveryFailure"/>,
/// then the actor is stopped. Avoid <c>PoisonPill</c>: it overtakes stashed commands; use an explicit stop command.
/// </remarks>
public abstract partial class Eventsourced : ActorBase
{
    private static int s_instanceCounter;

    private readonly int _instanceId = Interlocked.Increment(ref s_instanceCounter);
    private readonly string _writerUuid = Guid.NewGuid().ToString("N");
    private readonly UnboundedStash _internalStash;
    private readonly Queue<PendingInvocation> _pendingInvocations = new();
    private readonly List<PendingWrite> _eventBatch = [];
    private List<PendingWrite>? _writeInFlight;
    private EventsourcedState _state = EventsourcedState.Recovering;
    private int _pendingStashingPersistInvocations;
    private long _sequenceNr;
    private bool _batching;
    private PersistenceExtension? _extension;

    private protected Eventsourced()
    {
        _internalStash = new UnboundedStash(Cell);
    }

    /// <summary>Identifies this entity's event stream; stable across incarnations and unique per entity.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>
    /// Sequence number of the last event recovered, persisted or rejected (0 before the first). The first event of an id is
    /// 1; each event adds one, a rejected one too; after a restart it continues after the highest number ever stored, even
    /// when events were deleted.
    /// </summary>
    public long LastSequenceNr { get; private set; }

    /// <summary>The sequence number a snapshot taken now would carry (Akka: equal to <see cref="LastSequenceNr"/>).</summary>
    public long SnapshotSequenceNr => LastSequenceNr;

    /// <summary>True from construction until the replay finished (false already inside the <see cref="RecoveryCompleted"/> handler).</summary>
    public bool IsRecovering => _state == EventsourcedState.Recovering;

    /// <summary>True once recovery finished (<c>!IsRecovering</c>).</summary>
    public bool IsRecoveryFinished => !IsRecovering;

    /// <summary>How this actor recovers; default <see cref="Fabric.Kernel.Persistence.Recovery.Default"/> (latest snapshot, all later events).</summary>
    protected virtual Recovery Recovery => Recovery.Default;

    private PersistenceExtension Extension => _extension ??= Persistence.Get(Cell.System);

    /// <summary>
    /// Called when the journal failed to store an event (it may or may not be stored); logs an error. The actor is stopped
    /// afterwards unconditionally.
    /// </summary>
    /// <param name="cause">The journal's exception.</param>
    /// <param name="event">The first event of the failed write.</param>
    /// <param name="sequenceNr">Its sequence number.</param>
    protected virtual void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        ArgumentNullException.ThrowIfNull(@event);
        Cell.Log.Error(cause,
            $"Failed to persist event type [{@event.GetType().FullName}] with sequence number [{sequenceNr}] for persistenceId [{PersistenceId}].");
    }

    /// <summary>
    /// Called when the journal rejected an event (nothing stored), or it could not be serialized; logs an error. The event's
    /// handler is not called and the actor continues.
    /// </summary>
    /// <param name="cause">The rejection reason.</param>
    /// <param name="event">The rejected event.</param>
    /// <param name="sequenceNr">Its (consumed) sequence number.</param>
    protected virtual void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        ArgumentNullException.ThrowIfNull(cause);
        ArgumentNullException.ThrowIfNull(@event);
        Cell.Log.Error(cause,
            $"Rejected to persist event type [{@event.GetType().FullName}] with sequence number [{sequenceNr}] for persistenceId [{PersistenceId}] due to [{cause.Message}].");
    }

    /// <summary>
    /// Called when recovery failed (journal or snapshot store error, undeserializable payload, a recover handler threw, or
    /// <see cref="RecoveryTimedOutException"/>); logs an error. The actor is stopped afterwards.
    /// </summary>
    /// <param name="reason">The failure.</param>
    /// <param name="message">The event (or stored row) being replayed, if the failure concerns one.</param>
    protected virtual void OnRecoveryFailure(Exception reason, object? message)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Cell.Log.Error(reason, message is null
            ? $"Persistence failure when replaying events for persistenceId [{PersistenceId}]. Last known sequence number [{LastSequenceNr}]."
            : $"Exception in receiveRecover when replaying event type [{message.GetType().FullName}] with sequence number [{LastSequenceNr}] for persistenceId [{PersistenceId}].");
    }

    /// <inheritdoc/>
    protected sealed override bool Receive(object message) => ReceiveCommand(message);

    /// <summary>Handles a command (the initial behavior).</summary>
    private protected abstract bool ReceiveCommand(object message);

    /// <summary>Handles a snapshot offer, a replayed event or <see cref="RecoveryCompleted"/>.</summary>
    private protected abstract bool ReceiveRecover(object message);

    internal override bool AroundReceive(Receive receive, object message)
    {
        if (message is IPersistenceInternalMessage response)
        {
            if (response.InstanceId == _instanceId)
            {
                HandleResponse(response);
            }

            return true;
        }

        switch (_state)
        {
            case EventsourcedState.Recovering:
            case EventsourcedState.PersistingEvents:
                _internalStash.Stash();
                return true;
            case EventsourcedState.Stopped:
                Cell.SystemImpl.DeadLetterRef.Publish(message, Sender, Self);
                return true;
            default:
                return ProcessCommand(receive, message);
        }
    }

    internal override void AroundPreStart()
    {
        base.AroundPreStart();
        StartRecovery();
    }

    internal override void AroundPostRestart(Exception reason)
    {
        base.AroundPostRestart(reason);
        StartRecovery();
    }

    internal override void AroundPreRestart(Exception reason, object? message)
    {
        Shutdown();
        base.AroundPreRestart(reason, message);
    }

    internal override void AroundPostStop()
    {
        Shutdown();
        base.AroundPostStop();
    }

    private bool ProcessCommand(Receive receive, object message)
    {
        bool handled;
        _batching = true;
        try
        {
            handled = receive(message);
        }
        catch
        {
            _batching = false;
            AfterCommand(failed: true);
            throw;
        }

        _batching = false;
        AfterCommand(failed: false);
        return handled;
    }

    private void AfterCommand(bool failed)
    {
        FlushBatch();
        if (_pendingStashingPersistInvocations > 0)
        {
            _state = EventsourcedState.PersistingEvents;
        }
        else if (failed)
        {
            _internalStash.UnstashAll();
        }
        else
        {
            _internalStash.Unstash();
        }
    }

    private void HandleResponse(IPersistenceInternalMessage response)
    {
        _batching = true;
        try
        {
            switch (response)
            {
                case WriteMessagesResult result:
                    OnWriteMessagesResult(result);
                    break;
                default:
                    HandleRecoveryResponse(response);
                    break;
            }
        }
        finally
        {
            _batching = false;
        }

        if (_state is EventsourcedState.ProcessingCommands or EventsourcedState.PersistingEvents)
        {
            FlushBatch();
            if (_pendingStashingPersistInvocations > 0)
            {
                _state = EventsourcedState.PersistingEvents;
            }
            else if (_state == EventsourcedState.PersistingEvents)
            {
                _state = EventsourcedState.ProcessingCommands;
                _internalStash.Unstash();
            }
        }
    }

    /// <summary>The incarnation ends (stop or restart): no more handlers; stashed commands go back to the mailbox front.</summary>
    private void Shutdown()
    {
        CancelRecoveryTimeout();
        _state = EventsourcedState.Stopped;
        _pendingInvocations.Clear();
        _eventBatch.Clear();
        _pendingStashingPersistInvocations = 0;
        _internalStash.UnstashAll();
    }

    /// <summary>Stops this actor after a persistence failure; everything still queued is ignored.</summary>
    private void StopSelf()
    {
        CancelRecoveryTimeout();
        _state = EventsourcedState.Stopped;
        Cell.Stop(Self);
    }

    private void EnsureOnActorThread(string operation)
    {
        if (!ReferenceEquals(ActorCell.Current, Cell))
        {
            throw new InvalidOperationException($"{operation} can only be called from the actor's own message handlers, not from another thread or task.");
        }
    }

    private static Exception Unwrap(Task task) =>
        task.Exception?.InnerExceptions is [var single] ? single : (Exception?)task.Exception ?? new TaskCanceledException(task);
}
