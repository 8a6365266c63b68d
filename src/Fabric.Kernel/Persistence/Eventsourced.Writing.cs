using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence.Internal;
using Fabric.Kernel.Persistence.Journal;

namespace Fabric.Kernel.Persistence;

/// <content>
/// Persist, PersistAll, PersistAsync, PersistAllAsync and DeferAsync (actor-semantics §6): events get their sequence
/// numbers when persisted, are serialized, batched per message and written through the group-commit journal with at most
/// one write in flight per actor; their handlers run in call order with the sender of the command that persisted them.
/// </content>
public abstract partial class Eventsourced
{
    /// <summary>
    /// Persists <paramref name="event"/> and, once stored, calls <paramref name="handler"/> with it (with <c>Sender</c> =
    /// the current command's sender). Until every pending <c>Persist</c> handler has run, new commands are stashed; nested
    /// persists extend that window. If the journal rejects the event the handler is skipped
    /// (<see cref="OnPersistRejected"/>); if it fails the actor stops (<see cref="OnPersistFailure"/>).
    /// </summary>
    /// <typeparam name="TEvent">Event type (must be serializable by the registry, else the event is rejected).</typeparam>
    /// <param name="event">The event.</param>
    /// <param name="handler">Runs after the event is stored.</param>
    /// <exception cref="InvalidOperationException">Called during recovery or from another thread.</exception>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler) =>
        PersistInternal([@event], handler, stashing: true);

    /// <summary>
    /// Persists <paramref name="events"/> as one atomic write (all or none) and calls <paramref name="handler"/> for each,
    /// in order, stashing commands like <see cref="Persist{TEvent}"/>. An empty sequence does nothing.
    /// </summary>
    /// <typeparam name="TEvent">Event type.</typeparam>
    /// <param name="events">The events.</param>
    /// <param name="handler">Runs per event after the write is stored.</param>
    /// <exception cref="InvalidOperationException">Called during recovery or from another thread.</exception>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(events);
        PersistInternal([.. events], handler, stashing: true);
    }

    /// <summary>
    /// Like <see cref="Persist{TEvent}"/> but commands keep flowing while the write is in flight; handlers still run in
    /// persist order.
    /// </summary>
    /// <typeparam name="TEvent">Event type.</typeparam>
    /// <param name="event">The event.</param>
    /// <param name="handler">Runs after the event is stored.</param>
    /// <exception cref="InvalidOperationException">Called during recovery or from another thread.</exception>
    protected void PersistAsync<TEvent>(TEvent @event, Action<TEvent> handler) =>
        PersistInternal([@event], handler, stashing: false);

    /// <summary>Like <see cref="PersistAll{TEvent}"/> (one atomic write) without stashing commands.</summary>
    /// <typeparam name="TEvent">Event type.</typeparam>
    /// <param name="events">The events.</param>
    /// <param name="handler">Runs per event after the write is stored.</param>
    /// <exception cref="InvalidOperationException">Called during recovery or from another thread.</exception>
    protected void PersistAllAsync<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(events);
        PersistInternal([.. events], handler, stashing: false);
    }

    /// <summary>
    /// Runs <paramref name="handler"/> with <paramref name="event"/> after every persist handler registered before it has
    /// run (immediately when none is pending); nothing is stored and commands are not stashed.
    /// </summary>
    /// <typeparam name="TEvent">Event type.</typeparam>
    /// <param name="event">The value passed to the handler.</param>
    /// <param name="handler">The handler.</param>
    /// <exception cref="InvalidOperationException">Called during recovery or from another thread.</exception>
    protected void DeferAsync<TEvent>(TEvent @event, Action<TEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureCanPersist(nameof(DeferAsync));
        if (_pendingInvocations.Count == 0)
        {
            handler(@event);
            return;
        }

        _pendingInvocations.Enqueue(new PendingInvocation(@event!, o => handler((TEvent)o), Sender, Stashing: false, Deferred: true, SequenceNr: 0));
    }

    private void PersistInternal<TEvent>(IReadOnlyList<TEvent> events, Action<TEvent> handler, bool stashing)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureCanPersist(stashing ? nameof(Persist) : nameof(PersistAsync));
        if (events.Count == 0)
        {
            return;
        }

        var sender = Sender;
        var timestamp = Cell.System.TimeProvider.GetUtcNow().UtcTicks;
        var reprs = new List<PersistentRepr>(events.Count);
        Exception? rejection = null;
        Action<object> invoke = o => handler((TEvent)o);
        foreach (var @event in events)
        {
            if (@event is null)
            {
                throw new ArgumentException("Events must not be null.", nameof(events));
            }

            var sequenceNr = ++_sequenceNr;
            if (stashing)
            {
                _pendingStashingPersistInvocations++;
            }

            _pendingInvocations.Enqueue(new PendingInvocation(@event, invoke, sender, stashing, Deferred: false, sequenceNr));
            if (rejection is not null)
            {
                continue;
            }

            try
            {
                var (manifest, bytes) = Extension.Serializers.Serialize(@event);
                reprs.Add(new PersistentRepr(PersistenceId, sequenceNr, manifest, bytes, timestamp, [], _writerUuid));
            }
            catch (Exception e)
            {
                rejection = e;
            }
        }

        _eventBatch.Add(rejection is null ? new PendingWrite(reprs, events.Count, null) : new PendingWrite([], events.Count, rejection));
        if (!_batching)
        {
            // Called outside message processing (e.g. in a CommandAsync continuation): write now.
            FlushBatch();
            if (_pendingStashingPersistInvocations > 0 && _state == EventsourcedState.ProcessingCommands)
            {
                _state = EventsourcedState.PersistingEvents;
            }
        }
    }

    private void EnsureCanPersist(string operation)
    {
        EnsureOnActorThread(operation);
        if (_state == EventsourcedState.Recovering)
        {
            throw new InvalidOperationException($"{operation} cannot be called while recovering (persistenceId [{PersistenceId}]).");
        }
    }

    /// <summary>Sends the batched writes to the journal unless a write is already in flight (one at a time keeps their order).</summary>
    private void FlushBatch()
    {
        if (_writeInFlight is not null || _eventBatch.Count == 0 || _state == EventsourcedState.Stopped)
        {
            return;
        }

        var writes = new List<PendingWrite>(_eventBatch);
        _eventBatch.Clear();
        _writeInFlight = writes;
        var toJournal = new List<AtomicWrite>(writes.Count);
        foreach (var write in writes)
        {
            if (write.Rejection is null)
            {
                toJournal.Add(new AtomicWrite(write.Events));
            }
        }

        var journal = Extension.Journal;
        var task = toJournal.Count == 0
            ? Task.FromResult<IReadOnlyList<Exception?>>([])
            : GuardWrite(journal, toJournal);
        task.ContinueWith(
            static (t, s) =>
            {
                var (self, instanceId) = ((IActorRef, int))s!;
                self.Tell(t.IsCompletedSuccessfully
                    ? new WriteMessagesResult(instanceId, t.Result, null)
                    : new WriteMessagesResult(instanceId, null, Unwrap(t)), ActorRefs.NoSender);
            },
            (Self, _instanceId), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static Task<IReadOnlyList<Exception?>> GuardWrite(IJournal journal, IReadOnlyList<AtomicWrite> writes)
    {
        try
        {
            return journal.WriteMessagesAsync(writes);
        }
        catch (Exception e)
        {
            return Task.FromException<IReadOnlyList<Exception?>>(e);
        }
    }

    private void OnWriteMessagesResult(WriteMessagesResult result)
    {
        var writes = _writeInFlight;
        _writeInFlight = null;
        if (writes is null || _state is not (EventsourcedState.ProcessingCommands or EventsourcedState.PersistingEvents))
        {
            return;
        }

        var sent = 0;
        foreach (var write in writes)
        {
            var rejection = write.Rejection;
            if (rejection is null)
            {
                if (result.Failure is not null || result.Results is null || sent >= result.Results.Count)
                {
                    var cause = result.Failure ?? new InvalidOperationException("The journal returned fewer results than atomic writes.");
                    FailPersist(cause);
                    return;
                }

                rejection = result.Results[sent++];
            }

            for (var i = 0; i < write.EventCount; i++)
            {
                RunDeferred();
                var invocation = _pendingInvocations.Dequeue();
                if (invocation.Stashing)
                {
                    _pendingStashingPersistInvocations--;
                }

                LastSequenceNr = invocation.SequenceNr;
                Cell.SetCurrentSender(invocation.Sender);
                if (rejection is null)
                {
                    invocation.Handler(invocation.Event);
                }
                else
                {
                    OnPersistRejected(rejection, invocation.Event, invocation.SequenceNr);
                }
            }

            RunDeferred();
        }
    }

    /// <summary>Runs the deferred handlers at the head of the queue (their preceding persists are done).</summary>
    private void RunDeferred()
    {
        while (_pendingInvocations.TryPeek(out var head) && head.Deferred)
        {
            _pendingInvocations.Dequeue();
            Cell.SetCurrentSender(head.Sender);
            head.Handler(head.Event);
        }
    }

    private void FailPersist(Exception cause)
    {
        _pendingInvocations.TryPeek(out var first);
        while (first is { Deferred: true })
        {
            _pendingInvocations.Dequeue();
            _pendingInvocations.TryPeek(out first);
        }

        try
        {
            if (first is not null)
            {
                OnPersistFailure(cause, first.Event, first.SequenceNr);
            }
        }
        finally
        {
            _pendingInvocations.Clear();
            _pendingStashingPersistInvocations = 0;
            StopSelf();
        }
    }
}
