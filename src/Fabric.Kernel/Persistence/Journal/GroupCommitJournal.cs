using System.Diagnostics;

namespace Fabric.Kernel.Persistence.Journal;

/// <summary>
/// An <see cref="IJournal"/> decorator that commits concurrent writes together: <see cref="WriteMessagesAsync"/> calls from
/// many actors queue up and one writer loop hands everything queued (at most <c>maxBatchEvents</c> events, but always at
/// least one whole call) to <em>one</em> inner <see cref="IJournal.WriteMessagesAsync"/> call, then completes each caller's
/// task with its own slice of the results. If the inner call throws, every caller of that batch gets the exception.
/// Replay, highest-sequence-number and delete calls pass straight through.
/// </summary>
public sealed class GroupCommitJournal : IJournal
{
    private readonly IJournal _inner;
    private readonly int _maxBatchEvents;
    private readonly JournalStatistics _statistics;
    private readonly Lock _lock = new();
    private readonly Queue<Request> _queue = new();
    private bool _writerRunning;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The store that does the writing.</param>
    /// <param name="maxBatchEvents">Most events per inner write call (≥ 1); a single larger caller write still goes alone.</param>
    /// <param name="statistics">Where batch counts and latencies are recorded; <see langword="null"/> = a private instance.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchEvents"/> &lt; 1.</exception>
    public GroupCommitJournal(IJournal inner, int maxBatchEvents = 1000, JournalStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchEvents, 1);
        _inner = inner;
        _maxBatchEvents = maxBatchEvents;
        _statistics = statistics ?? new JournalStatistics();
    }

    /// <summary>The wrapped journal.</summary>
    public IJournal Inner => _inner;

    /// <summary>Batch counters of this writer.</summary>
    public JournalStatistics Statistics => _statistics;

    /// <summary>
    /// Queues <paramref name="writes"/> for the next group commit. <paramref name="ct"/> is observed only before queuing.
    /// </summary>
    /// <inheritdoc/>
    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ct.ThrowIfCancellationRequested();
        if (writes.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<Exception?>>([]);
        }

        var eventCount = 0;
        foreach (var write in writes)
        {
            eventCount += write.Payload.Count;
        }

        var request = new Request(writes, eventCount, new TaskCompletionSource<IReadOnlyList<Exception?>>(TaskCreationOptions.RunContinuationsAsynchronously));
        var startWriter = false;
        lock (_lock)
        {
            _queue.Enqueue(request);
            if (!_writerRunning)
            {
                _writerRunning = true;
                startWriter = true;
            }
        }

        if (startWriter)
        {
            _ = Task.Run(WriterLoopAsync, CancellationToken.None);
        }

        return request.Completion.Task;
    }

    /// <inheritdoc/>
    public Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<PersistentRepr> recoveryCallback, CancellationToken ct = default) =>
        _inner.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback, ct);

    /// <inheritdoc/>
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken ct = default) =>
        _inner.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, ct);

    /// <inheritdoc/>
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default) =>
        _inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, ct);

    /// <summary>Disposes the inner journal.</summary>
    /// <returns>A task completing when the inner journal is disposed.</returns>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private async Task WriterLoopAsync()
    {
        while (true)
        {
            var batch = new List<Request>();
            lock (_lock)
            {
                var events = 0;
                while (_queue.TryPeek(out var next) && (batch.Count == 0 || events + next.EventCount <= _maxBatchEvents))
                {
                    batch.Add(_queue.Dequeue());
                    events += next.EventCount;
                }

                if (batch.Count == 0)
                {
                    _writerRunning = false;
                    return;
                }
            }

            await CommitAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(List<Request> batch)
    {
        var all = new List<AtomicWrite>();
        foreach (var request in batch)
        {
            all.AddRange(request.Writes);
        }

        var start = Stopwatch.GetTimestamp();
        IReadOnlyList<Exception?> results;
        try
        {
            results = await _inner.WriteMessagesAsync(all, CancellationToken.None).ConfigureAwait(false);
            if (results.Count != all.Count)
            {
                throw new InvalidOperationException(
                    $"Journal {_inner.GetType().Name} returned {results.Count} results for {all.Count} atomic writes.");
            }
        }
        catch (Exception e)
        {
            _statistics.RecordFailure(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            foreach (var request in batch)
            {
                request.Completion.TrySetException(e);
            }

            return;
        }

        long written = 0;
        long rejected = 0;
        var offset = 0;
        foreach (var request in batch)
        {
            var own = new Exception?[request.Writes.Count];
            for (var i = 0; i < own.Length; i++)
            {
                own[i] = results[offset + i];
                if (own[i] is null)
                {
                    written += request.Writes[i].Payload.Count;
                }
                else
                {
                    rejected += request.Writes[i].Payload.Count;
                }
            }

            offset += own.Length;
            request.Completion.TrySetResult(own);
        }

        _statistics.RecordBatch(written, rejected, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private sealed record Request(IReadOnlyList<AtomicWrite> Writes, int EventCount, TaskCompletionSource<IReadOnlyList<Exception?>> Completion);
}
