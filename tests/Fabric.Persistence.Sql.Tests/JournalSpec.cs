using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;
using static Fabric.Persistence.Sql.Tests.TestEvents;

namespace Fabric.Persistence.Sql.Tests;

/// <summary>The journal contract (actor-semantics §6), run against every store by a subclass.</summary>
public abstract class JournalSpec : IAsyncLifetime
{
    private readonly List<IJournal> _opened = [];

    /// <summary>A new journal object on this test's store (same data every call).</summary>
    protected abstract IJournal CreateJournal();

    /// <summary>A journal whose store is currently unavailable.</summary>
    protected abstract Task<IJournal> OpenJournalDuringOutageAsync();

    /// <summary>Makes the store of <see cref="OpenJournalDuringOutageAsync"/> available again.</summary>
    protected abstract Task EndOutageAsync();

    /// <summary>How a failure message of the outage journal starts.</summary>
    protected abstract string OutageMessagePrefix { get; }

    /// <summary>(persistence_id, sequence_number) of every stored row in global <c>ordering</c> order.</summary>
    protected abstract Task<IReadOnlyList<(string PersistenceId, long SequenceNr)>> ReadGlobalOrderAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var journal in _opened)
        {
            await journal.DisposeAsync();
        }
    }

    protected IJournal Open()
    {
        var journal = CreateJournal();
        _opened.Add(journal);
        return journal;
    }

    protected IJournal Track(IJournal journal)
    {
        _opened.Add(journal);
        return journal;
    }

    protected static async Task<List<PersistentRepr>> ReplayAsync(IJournal journal, string persistenceId, long from = 1, long to = long.MaxValue, long max = long.MaxValue)
    {
        var replayed = new List<PersistentRepr>();
        await journal.ReplayMessagesAsync(persistenceId, from, to, max, replayed.Add);
        return replayed;
    }

    protected static async Task StoreAsync(IJournal journal, params AtomicWrite[] writes)
    {
        var results = await journal.WriteMessagesAsync(writes);
        Assert.Equal(writes.Length, results.Count);
        Assert.All(results, r => Assert.Null(r));
    }

    [Fact]
    public async Task Written_events_replay_in_order_with_every_field()
    {
        var journal = Open();
        var first = Event("p-1", 1, 100, "flows", "dp");
        var second = new PersistentRepr("p-1", 2, "fabric.test.Other.v2", new byte[] { 0, 1, 2, 255 }, Created + 99, [], "writer-2");
        await StoreAsync(journal, new AtomicWrite([first]), new AtomicWrite([second]));

        var replayed = await ReplayAsync(journal, "p-1");

        Assert.Equal(2, replayed.Count);
        AssertSame(first, replayed[0]);
        AssertSame(second, replayed[1]);
        Assert.Equal(new[] { "flows", "dp" }, replayed[0].Tags);
        Assert.Empty(replayed[1].Tags);
    }

    [Theory]
    [InlineData(1, long.MaxValue, long.MaxValue, 1, 10)]
    [InlineData(3, 7, long.MaxValue, 3, 7)]
    [InlineData(3, 7, 2, 3, 4)]
    [InlineData(9, 20, long.MaxValue, 9, 10)]
    [InlineData(11, 20, long.MaxValue, 0, -1)]
    [InlineData(5, 4, long.MaxValue, 0, -1)]
    [InlineData(1, 10, 0, 0, -1)]
    public async Task Replay_honours_from_to_and_max(long from, long to, long max, long expectedFirst, long expectedLast)
    {
        var journal = Open();
        await StoreAsync(journal, Write("r", 1, 4), Write("r", 5, 10), Write("other", 1, 3));

        var replayed = await ReplayAsync(journal, "r", from, to, max);

        var expected = new List<long>();
        for (long s = expectedFirst; s <= expectedLast; s++)
        {
            expected.Add(s);
        }

        Assert.Equal(expected, replayed.Select(e => e.SequenceNr));
        Assert.All(replayed, e => Assert.Equal("r", e.PersistenceId));
    }

    [Fact]
    public async Task Highest_sequence_nr_is_zero_for_an_unknown_id_and_the_highest_stored_otherwise()
    {
        var journal = Open();
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("nobody", 0));

        await StoreAsync(journal, Write("h", 1, 3), Write("h2", 1, 8));
        await StoreAsync(journal, Write("h", 4, 6));

        Assert.Equal(6, await journal.ReadHighestSequenceNrAsync("h", 0));
        Assert.Equal(8, await journal.ReadHighestSequenceNrAsync("h2", 3));
    }

    [Fact]
    public async Task Global_ordering_follows_write_order_across_batches_and_ids()
    {
        var journal = Open();
        await StoreAsync(journal, Write("b", 1), Write("a", 1, 2), Write("c", 1));
        await StoreAsync(journal, Write("a", 3), Write("b", 2));

        var order = await ReadGlobalOrderAsync();

        Assert.Equal(new[] { ("b", 1L), ("a", 1L), ("a", 2L), ("c", 1L), ("a", 3L), ("b", 2L) }, order.Select(o => (o.PersistenceId, o.SequenceNr)));
    }

    [Fact]
    public async Task Delete_to_removes_events_but_the_highest_sequence_nr_survives()
    {
        var journal = Open();
        await StoreAsync(journal, Write("d", 1, 5), Write("keep", 1, 2));

        await journal.DeleteMessagesToAsync("d", 3);
        Assert.Equal(new long[] { 4, 5 }, (await ReplayAsync(journal, "d")).Select(e => e.SequenceNr));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("d", 0));

        await journal.DeleteMessagesToAsync("d", long.MaxValue);
        Assert.Empty(await ReplayAsync(journal, "d"));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("d", 0));
        Assert.Equal(2, (await ReplayAsync(journal, "keep")).Count);

        await StoreAsync(journal, Write("d", 6));
        Assert.Equal(new long[] { 6 }, (await ReplayAsync(journal, "d")).Select(e => e.SequenceNr));
        await journal.DeleteMessagesToAsync("d", long.MaxValue);
        Assert.Equal(6, await journal.ReadHighestSequenceNrAsync("d", 0));

        await using var reopened = CreateJournal();
        Assert.Equal(6, await reopened.ReadHighestSequenceNrAsync("d", 0));
    }

    [Fact]
    public async Task A_duplicate_rejects_only_its_atomic_write_and_the_rest_of_the_batch_is_stored()
    {
        var journal = Open();
        await StoreAsync(journal, Write("x", 1, 2), Write("y", 1));

        var results = await journal.WriteMessagesAsync([
            Write("z", 1, 3),
            Write("y", 1),          // duplicate of a stored event
            Write("x", 3),
            Write("y", 2, 1 + 1),
            new AtomicWrite([Event("x", 4), Event("x", 2), Event("x", 5)]), // collides in the middle: all or nothing
            Write("w", 1),
        ]);

        Assert.Null(results[0]);
        Assert.IsType<JournalWriteRejectedException>(results[1]);
        Assert.Null(results[2]);
        Assert.Null(results[3]);
        Assert.IsType<JournalWriteRejectedException>(results[4]);
        Assert.Null(results[5]);
        Assert.Equal(new long[] { 1, 2, 3 }, (await ReplayAsync(journal, "z")).Select(e => e.SequenceNr));
        Assert.Equal(new long[] { 1, 2, 3 }, (await ReplayAsync(journal, "x")).Select(e => e.SequenceNr));
        Assert.Equal(new long[] { 1, 2 }, (await ReplayAsync(journal, "y")).Select(e => e.SequenceNr));
        Assert.Single(await ReplayAsync(journal, "w"));
        var original = (await ReplayAsync(journal, "x"))[1];
        AssertSame(Event("x", 2), original);
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("x", 0));
    }

    [Fact]
    public async Task A_duplicate_inside_one_batch_rejects_the_later_write()
    {
        var journal = Open();
        var later = new PersistentRepr("dup", 1, "fabric.test.Later.v1", new byte[] { 9 }, Created, [], "writer-2");

        var results = await journal.WriteMessagesAsync([Write("dup", 1), new AtomicWrite([later]), Write("dup", 2)]);

        Assert.Null(results[0]);
        Assert.IsType<JournalWriteRejectedException>(results[1]);
        Assert.Null(results[2]);
        var replayed = await ReplayAsync(journal, "dup");
        Assert.Equal(new long[] { 1, 2 }, replayed.Select(e => e.SequenceNr));
        AssertSame(Event("dup", 1), replayed[0]);
    }

    [Fact]
    public async Task Unstorable_writes_are_rejected_without_failing_the_batch()
    {
        var journal = Open();
        var mixed = new AtomicWrite([Event("m", 1), Event("other", 1)]);
        var longManifest = new AtomicWrite([Event("m", 1) with { Manifest = new string('x', 501) }]);
        var badTag = new AtomicWrite([Event("m", 1, 100, "a;b")]);

        var results = await journal.WriteMessagesAsync([mixed, longManifest, badTag, Write("m", 1), new AtomicWrite([])]);

        Assert.Contains("one persistence id", Assert.IsType<JournalWriteRejectedException>(results[0]).Message);
        Assert.Contains("manifest", Assert.IsType<JournalWriteRejectedException>(results[1]).Message);
        Assert.Contains("tag", Assert.IsType<JournalWriteRejectedException>(results[2]).Message);
        Assert.Null(results[3]);
        Assert.Null(results[4]);
        Assert.Single(await ReplayAsync(journal, "m"));
        Assert.Empty(await ReplayAsync(journal, "other"));
        Assert.Empty(await journal.WriteMessagesAsync([]));
    }

    [Fact]
    public async Task One_batch_of_many_persistence_ids_is_stored_whole()
    {
        var journal = Open();
        var writes = new List<AtomicWrite>();
        for (int round = 1; round <= 10; round++)
        {
            for (int id = 0; id < 100; id++)
            {
                writes.Add(Write($"many-{id}", round));
            }
        }

        var results = await journal.WriteMessagesAsync(writes);

        Assert.Equal(1000, results.Count);
        Assert.All(results, r => Assert.Null(r));
        for (int id = 0; id < 100; id += 11)
        {
            var replayed = await ReplayAsync(journal, $"many-{id}");
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), replayed.Select(e => e.SequenceNr));
            AssertSame(Event($"many-{id}", 7), replayed[6]);
        }
    }

    [Fact]
    public async Task Large_payloads_round_trip()
    {
        var journal = Open();
        var big = Event("big", 1, 4 * 1024 * 1024);
        var empty = Event("big", 2, 0);
        await StoreAsync(journal, new AtomicWrite([big, empty]));

        var replayed = await ReplayAsync(journal, "big");

        Assert.Equal(2, replayed.Count);
        Assert.True(big.Payload.Span.SequenceEqual(replayed[0].Payload.Span));
        Assert.Equal(0, replayed[1].Payload.Length);
    }

    [Fact]
    public async Task A_sliced_payload_stores_only_its_slice()
    {
        var journal = Open();
        var backing = new byte[] { 1, 2, 3, 4, 5, 6 };
        var sliced = Event("slice", 1) with { Payload = backing.AsMemory(2, 3) };
        await StoreAsync(journal, new AtomicWrite([sliced]));

        var replayed = await ReplayAsync(journal, "slice");

        Assert.Equal(new byte[] { 3, 4, 5 }, replayed[0].Payload.ToArray());
    }

    [Fact]
    public async Task A_reopened_store_reads_back_what_was_written()
    {
        await using (var journal = CreateJournal())
        {
            await StoreAsync(journal, Write("re", 1, 3));
            await journal.DeleteMessagesToAsync("re", 1);
        }

        await using var reopened = CreateJournal();
        Assert.Equal(new long[] { 2, 3 }, (await ReplayAsync(reopened, "re")).Select(e => e.SequenceNr));
        Assert.Equal(3, await reopened.ReadHighestSequenceNrAsync("re", 0));
        await StoreAsync(reopened, Write("re", 4));
        Assert.IsType<JournalWriteRejectedException>((await reopened.WriteMessagesAsync([Write("re", 3)]))[0]);
    }

    [Fact]
    public async Task Concurrent_readers_see_only_whole_batches_while_writes_go_on()
    {
        var journal = Open();
        const int Batches = 40;
        const int PerBatch = 50;
        var writer = Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                var writes = new List<AtomicWrite>();
                for (int e = 1; e <= PerBatch; e++)
                {
                    writes.Add(Write("conc", (b * PerBatch) + e));
                }

                await StoreAsync(journal, [.. writes]);
            }
        });

        async Task<int> ReadUntilWriterDoneAsync()
        {
            int reads = 0;
            while (true)
            {
                bool writerDone = writer.IsCompleted;
                var replayed = await ReplayAsync(journal, "conc");
                long highest = await journal.ReadHighestSequenceNrAsync("conc", 0);
                Assert.Equal(0, replayed.Count % PerBatch);
                for (int i = 0; i < replayed.Count; i++)
                {
                    Assert.Equal(i + 1, replayed[i].SequenceNr);
                }

                Assert.True(highest >= replayed.Count, $"highest {highest} < replayed {replayed.Count}");
                reads++;
                if (writerDone)
                {
                    Assert.Equal(Batches * PerBatch, replayed.Count);
                    return reads;
                }
            }
        }

        var readers = new[] { Task.Run(ReadUntilWriterDoneAsync), Task.Run(ReadUntilWriterDoneAsync), Task.Run(ReadUntilWriterDoneAsync) };
        await writer;
        var reads = await Task.WhenAll(readers);
        Assert.All(reads, r => Assert.True(r >= 1));
    }

    [Fact]
    public async Task An_unavailable_store_fails_writes_with_one_clear_line_and_works_again_when_it_returns()
    {
        var journal = Track(await OpenJournalDuringOutageAsync());

        var failure = await Assert.ThrowsAsync<SqlStoreException>(() => journal.WriteMessagesAsync([Write("outage", 1)]));
        Assert.StartsWith(OutageMessagePrefix, failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.NotNull(failure.InnerException);
        await Assert.ThrowsAsync<SqlStoreException>(() => journal.ReadHighestSequenceNrAsync("outage", 0));

        await EndOutageAsync();

        await StoreAsync(journal, Write("outage", 1), Write("outage", 2));
        Assert.Equal(new long[] { 1, 2 }, (await ReplayAsync(journal, "outage")).Select(e => e.SequenceNr));
    }

    protected static void AssertSame(PersistentRepr expected, PersistentRepr actual)
    {
        Assert.Equal(expected.PersistenceId, actual.PersistenceId);
        Assert.Equal(expected.SequenceNr, actual.SequenceNr);
        Assert.Equal(expected.Manifest, actual.Manifest);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.WriterUuid, actual.WriterUuid);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.True(expected.Payload.Span.SequenceEqual(actual.Payload.Span), "payload differs");
    }
}
