using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;
using Fabric.Kernel.TestKit.Persistence;

namespace Fabric.Kernel.Tests.Persistence;

public sealed class GroupCommitJournalTests
{
    private static AtomicWrite Write(string id, long sequenceNr) =>
        new([new PersistentRepr(id, sequenceNr, "m.v1", new byte[] { (byte)sequenceNr }, 0, [], "w")]);

    /// <summary>Counts calls; the first call waits for <see cref="Release"/>; calls containing <see cref="FailId"/> throw.</summary>
    private sealed class RecordingJournal : IJournal
    {
        private readonly TaskCompletionSource _firstCallGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly InMemoryJournal _store = new();
        private int _calls;

        public List<int> BatchSizes { get; } = [];

        public string? FailId { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public InMemoryJournal Store => _store;

        public void Release() => _firstCallGate.TrySetResult();

        public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default)
        {
            var call = Interlocked.Increment(ref _calls);
            lock (BatchSizes)
            {
                BatchSizes.Add(writes.Sum(w => w.Payload.Count));
            }

            if (call == 1)
            {
                await _firstCallGate.Task;
            }

            if (FailId is not null && writes.Any(w => w.Payload[0].PersistenceId == FailId))
            {
                throw new InvalidOperationException("batch failed");
            }

            return await _store.WriteMessagesAsync(writes, ct);
        }

        public Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<PersistentRepr> recoveryCallback, CancellationToken ct = default) =>
            _store.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback, ct);

        public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken ct = default) =>
            _store.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, ct);

        public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default) =>
            _store.DeleteMessagesToAsync(persistenceId, toSequenceNr, ct);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Eight_concurrent_writers_share_few_inner_calls_and_each_gets_its_own_results()
    {
        const int writers = 8;
        const int perWriter = 50;
        var inner = new RecordingJournal();
        var statistics = new JournalStatistics();
        var journal = new GroupCommitJournal(inner, maxBatchEvents: 1000, statistics);

        var tasks = new List<(string Id, long Seq, Task<IReadOnlyList<Exception?>> Task)>();
        var threads = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            var mine = new List<(string, long, Task<IReadOnlyList<Exception?>>)>();
            for (var i = 1; i <= perWriter; i++)
            {
                // Writer 0 also repeats sequence number 1 once: that write alone must be rejected.
                var seq = w == 0 && i == perWriter ? 1 : i;
                mine.Add(($"w{w}", seq, journal.WriteMessagesAsync([Write($"w{w}", seq)])));
            }

            return mine;
        })).ToArray();
        foreach (var t in threads)
        {
            tasks.AddRange(await t);
        }

        inner.Release();
        await Task.WhenAll(tasks.Select(t => t.Task));

        Assert.True(inner.Calls < writers * perWriter / 10, $"{inner.Calls} inner calls for {writers * perWriter} writes");
        Assert.Equal(writers * perWriter, inner.BatchSizes.Sum());
        foreach (var (id, seq, task) in tasks)
        {
            var result = Assert.Single(await task);
            if (id == "w0" && task == tasks.Last(t => t.Id == "w0").Task)
            {
                Assert.IsType<InvalidOperationException>(result);
            }
            else
            {
                Assert.Null(result);
            }
        }

        for (var w = 0; w < writers; w++)
        {
            Assert.Equal(w == 0 ? perWriter - 1 : perWriter, inner.Store.Rows($"w{w}").Count);
        }

        Assert.Equal(writers * perWriter - 1, statistics.EventsWritten);
        Assert.Equal(1, statistics.EventsRejected);
        Assert.Equal(inner.Calls, statistics.Batches);
    }

    [Fact]
    public async Task Inner_batches_never_exceed_the_event_limit_unless_one_write_is_larger()
    {
        var inner = new RecordingJournal();
        var journal = new GroupCommitJournal(inner, maxBatchEvents: 10);
        var first = journal.WriteMessagesAsync([Write("a", 1)]);
        var rest = Enumerable.Range(2, 45).Select(i => journal.WriteMessagesAsync([Write("a", i)])).ToList();
        var big = journal.WriteMessagesAsync([new AtomicWrite([.. Enumerable.Range(100, 12).Select(i => Write("b", i).Payload[0])])]);
        inner.Release();
        await Task.WhenAll(rest.Append(first).Append(big));
        Assert.All(inner.BatchSizes, size => Assert.True(size <= 12));
        Assert.Contains(12, inner.BatchSizes);
        Assert.Equal(58, inner.BatchSizes.Sum());
        Assert.All(inner.BatchSizes.Where(s => s != 12), size => Assert.True(size <= 10));
    }

    [Fact]
    public async Task An_inner_failure_fails_exactly_the_callers_of_that_batch()
    {
        var inner = new RecordingJournal { FailId = "bad" };
        var statistics = new JournalStatistics();
        var journal = new GroupCommitJournal(inner, 1000, statistics);
        var first = journal.WriteMessagesAsync([Write("a", 1)]);
        while (inner.Calls == 0)
        {
            await Task.Yield();
        }

        // The writer is blocked in call 1, so these two form the next batch together.
        var sameBatch = journal.WriteMessagesAsync([Write("b", 1)]);
        var bad = journal.WriteMessagesAsync([Write("bad", 1)]);
        inner.Release();
        Assert.Null(Assert.Single(await first));
        var e1 = await Assert.ThrowsAsync<InvalidOperationException>(() => sameBatch);
        var e2 = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Same(e1, e2);

        var after = await journal.WriteMessagesAsync([Write("c", 1)]);
        Assert.Null(Assert.Single(after));
        Assert.Equal(3, inner.Calls);
        Assert.Equal(1, statistics.Failures);
        Assert.Empty(inner.Store.Rows("b"));
    }
}
