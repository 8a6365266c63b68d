using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;

namespace Fabric.Kernel.Tests.Persistence;

/// <summary>Wraps a journal; while a gate is closed, writes (or replays) wait until the test opens it.</summary>
internal sealed class GatedJournal(IJournal inner) : IJournal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _writeGate = Open();
    private TaskCompletionSource _replayGate = Open();
    private TaskCompletionSource _writeArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _replayArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a write reached the journal since the last <see cref="CloseWrites"/>.</summary>
    public Task WriteArrived => _writeArrived.Task;

    /// <summary>Completes when a replay reached the journal since the last <see cref="CloseReplay"/>.</summary>
    public Task ReplayArrived => _replayArrived.Task;

    public void CloseWrites()
    {
        lock (_lock)
        {
            _writeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _writeArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void OpenWrites()
    {
        lock (_lock)
        {
            _writeGate.TrySetResult();
        }
    }

    public void CloseReplay()
    {
        lock (_lock)
        {
            _replayGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _replayArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void OpenReplay()
    {
        lock (_lock)
        {
            _replayGate.TrySetResult();
        }
    }

    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default)
    {
        Task gate;
        lock (_lock)
        {
            gate = _writeGate.Task;
            _writeArrived.TrySetResult();
        }

        await gate.ConfigureAwait(false);
        return await inner.WriteMessagesAsync(writes, ct).ConfigureAwait(false);
    }

    public async Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<PersistentRepr> recoveryCallback, CancellationToken ct = default)
    {
        Task gate;
        lock (_lock)
        {
            gate = _replayGate.Task;
            _replayArrived.TrySetResult();
        }

        await gate.ConfigureAwait(false);
        await inner.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback, ct).ConfigureAwait(false);
    }

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken ct = default) =>
        inner.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, ct);

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default) =>
        inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}
