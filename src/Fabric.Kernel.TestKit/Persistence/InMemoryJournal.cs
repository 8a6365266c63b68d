using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;

namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>
/// A thread-safe in-memory <see cref="IJournal"/> for tests (Akka.Persistence.TestKit's journal): keeps rows per persistence
/// id, rejects duplicate sequence numbers, keeps the highest sequence number through deletion, and lets tests inject
/// failures with <see cref="WriteBehavior"/>, <see cref="RecoveryBehavior"/> and <see cref="ToggleAvailable"/>.
/// </summary>
public sealed class InMemoryJournal : IJournal
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<PersistentRepr>> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _highest = new(StringComparer.Ordinal);
    private readonly SerializerRegistry? _serializers;
    private volatile JournalBehavior _writeBehavior = JournalBehavior.Pass;
    private volatile JournalBehavior _recoveryBehavior = JournalBehavior.Pass;
    private volatile bool _available = true;
    private int _writeCalls;

    /// <summary>Creates an empty journal.</summary>
    /// <param name="serializers">Needed by type-based behaviours (<see cref="JournalBehavior.FailOnType{T}"/>, …) and <see cref="EventsOf"/>.</param>
    public InMemoryJournal(SerializerRegistry? serializers = null) => _serializers = serializers;

    /// <summary>What writes do (default <see cref="JournalBehavior.Pass"/>).</summary>
    public JournalBehavior WriteBehavior
    {
        get => _writeBehavior;
        set => _writeBehavior = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>What replays do: <see cref="JournalBehavior.Pass"/>, or any failing behaviour (reject counts as failure).</summary>
    public JournalBehavior RecoveryBehavior
    {
        get => _recoveryBehavior;
        set => _recoveryBehavior = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Number of <see cref="WriteMessagesAsync"/> calls so far (each group commit is one).</summary>
    public int WriteCalls => Volatile.Read(ref _writeCalls);

    /// <summary>
    /// Makes the store available or not; while unavailable every call throws <see cref="TestJournalFailureException"/>
    /// ("store down"), and nothing changes.
    /// </summary>
    /// <param name="available">The new state.</param>
    public void ToggleAvailable(bool available) => _available = available;

    /// <summary>The stored, non-deleted rows of <paramref name="persistenceId"/>, in sequence order.</summary>
    /// <param name="persistenceId">The id.</param>
    /// <returns>A copy of the rows.</returns>
    public IReadOnlyList<PersistentRepr> Rows(string persistenceId)
    {
        lock (_lock)
        {
            return _events.TryGetValue(persistenceId, out var list) ? [.. list] : [];
        }
    }

    /// <summary>The stored, non-deleted events of <paramref name="persistenceId"/>, deserialized.</summary>
    /// <param name="persistenceId">The id.</param>
    /// <returns>The events in order.</returns>
    /// <exception cref="InvalidOperationException">The journal has no serializer registry.</exception>
    public IReadOnlyList<object> EventsOf(string persistenceId)
    {
        var registry = _serializers ?? throw new InvalidOperationException("EventsOf needs the journal to be created with a SerializerRegistry.");
        var result = new List<object>();
        foreach (var repr in Rows(persistenceId))
        {
            result.Add(registry.Deserialize(repr.Payload.Span, repr.Manifest));
        }

        return result;
    }

    /// <summary>Removes every row and every highest-sequence-number record.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _events.Clear();
            _highest.Clear();
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        Interlocked.Increment(ref _writeCalls);
        CheckAvailable();
        var behavior = _writeBehavior;
        var verdicts = new JournalVerdict[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            foreach (var repr in writes[i].Payload)
            {
                var verdict = behavior.Decide(repr, _serializers);
                if (verdict == JournalVerdict.Fail)
                {
                    return Task.FromException<IReadOnlyList<Exception?>>(new TestJournalFailureException(
                        $"Injected journal failure ({behavior}) writing sequence number {repr.SequenceNr} of [{repr.PersistenceId}]."));
                }

                if (verdict == JournalVerdict.Reject)
                {
                    verdicts[i] = JournalVerdict.Reject;
                }
            }
        }

        var results = new Exception?[writes.Count];
        lock (_lock)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                results[i] = verdicts[i] == JournalVerdict.Reject
                    ? new TestJournalRejectException($"Injected journal rejection ({behavior}).")
                    : Store(writes[i]);
            }
        }

        return Task.FromResult<IReadOnlyList<Exception?>>(results);
    }

    /// <inheritdoc/>
    public Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<PersistentRepr> recoveryCallback, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(recoveryCallback);
        CheckAvailable();
        var behavior = _recoveryBehavior;
        PersistentRepr[] rows;
        lock (_lock)
        {
            rows = _events.TryGetValue(persistenceId, out var list) ? [.. list] : [];
        }

        long count = 0;
        foreach (var repr in rows)
        {
            if (repr.SequenceNr < fromSequenceNr || repr.SequenceNr > toSequenceNr || count >= max)
            {
                continue;
            }

            if (behavior.Decide(repr, _serializers) != JournalVerdict.Pass)
            {
                return Task.FromException(new TestJournalFailureException(
                    $"Injected journal failure ({behavior}) replaying sequence number {repr.SequenceNr} of [{persistenceId}]."));
            }

            recoveryCallback(repr);
            count++;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken ct = default)
    {
        CheckAvailable();
        lock (_lock)
        {
            return Task.FromResult(_highest.GetValueOrDefault(persistenceId));
        }
    }

    /// <inheritdoc/>
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default)
    {
        CheckAvailable();
        lock (_lock)
        {
            if (_events.TryGetValue(persistenceId, out var list))
            {
                list.RemoveAll(r => r.SequenceNr <= toSequenceNr);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Nothing to release.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Exception? Store(AtomicWrite write)
    {
        if (write.Payload.Count == 0)
        {
            return null;
        }

        var persistenceId = write.Payload[0].PersistenceId;
        var highest = _highest.GetValueOrDefault(persistenceId);
        var expected = highest;
        foreach (var repr in write.Payload)
        {
            if (repr.PersistenceId != persistenceId || repr.SequenceNr <= expected)
            {
                return new InvalidOperationException(
                    $"Duplicate or out-of-order sequence number {repr.SequenceNr} for [{repr.PersistenceId}] (highest stored {highest}).");
            }

            expected = repr.SequenceNr;
        }

        if (!_events.TryGetValue(persistenceId, out var list))
        {
            list = [];
            _events[persistenceId] = list;
        }

        list.AddRange(write.Payload);
        _highest[persistenceId] = expected;
        return null;
    }

    private void CheckAvailable()
    {
        if (!_available)
        {
            throw new TestJournalFailureException("The journal is unavailable (ToggleAvailable(false)).");
        }
    }
}
