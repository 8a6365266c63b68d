using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Snapshot;

namespace Fabric.Persistence.Sql.Tests;

/// <summary>The snapshot-store contract (actor-semantics §6), run against every store by a subclass.</summary>
public abstract class SnapshotStoreSpec : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
    private readonly List<ISnapshotStore> _opened = [];

    /// <summary>A new store object on this test's store (same data every call).</summary>
    protected abstract ISnapshotStore CreateStore();

    /// <summary>A store that is currently unavailable.</summary>
    protected abstract Task<ISnapshotStore> OpenStoreDuringOutageAsync();

    /// <summary>Makes the store of <see cref="OpenStoreDuringOutageAsync"/> available again.</summary>
    protected abstract Task EndOutageAsync();

    /// <summary>How a failure message of the outage store starts.</summary>
    protected abstract string OutageMessagePrefix { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    private ISnapshotStore Open()
    {
        var store = CreateStore();
        _opened.Add(store);
        return store;
    }

    private static byte[] State(long seq, int size = 64)
    {
        var bytes = new byte[size];
        new Random((int)seq).NextBytes(bytes);
        return bytes;
    }

    private static async Task SaveAsync(ISnapshotStore store, string pid, long seq, int minutes, int size = 64) =>
        await store.SaveAsync(new SnapshotMetadata(pid, seq, T0.AddMinutes(minutes)), $"fabric.test.State.v{seq}", State(seq, size));

    [Fact]
    public async Task Load_latest_returns_the_newest_snapshot_with_its_metadata_manifest_and_bytes()
    {
        var store = Open();
        await SaveAsync(store, "s", 10, 1);
        await SaveAsync(store, "s", 30, 3);
        await SaveAsync(store, "s", 20, 2);
        await SaveAsync(store, "other", 99, 9);

        var latest = await store.LoadAsync("s", SnapshotSelectionCriteria.Latest);

        Assert.NotNull(latest);
        Assert.Equal(new SnapshotMetadata("s", 30, T0.AddMinutes(3)), latest.Metadata);
        Assert.Equal(DateTimeKind.Utc, latest.Metadata.Timestamp.Kind);
        Assert.Equal("fabric.test.State.v30", latest.Manifest);
        Assert.Equal(State(30), latest.Payload.ToArray());
    }

    [Fact]
    public async Task Load_returns_null_when_nothing_matches()
    {
        var store = Open();
        Assert.Null(await store.LoadAsync("none", SnapshotSelectionCriteria.Latest));
        await SaveAsync(store, "s", 10, 1);
        Assert.Null(await store.LoadAsync("s", SnapshotSelectionCriteria.None));
        Assert.Null(await store.LoadAsync("s", new SnapshotSelectionCriteria(long.MaxValue, MinSequenceNr: 11)));
    }

    [Theory]
    [InlineData(25L, null, 0L, null, 20L)]
    [InlineData(long.MaxValue, 2, 0L, null, 20L)]
    [InlineData(long.MaxValue, null, 0L, 3, 30L)]
    [InlineData(long.MaxValue, 1, 0L, null, 10L)]
    [InlineData(29L, null, 15L, null, 20L)]
    [InlineData(15L, null, 11L, null, -1L)]
    [InlineData(long.MaxValue, 2, 0L, 3, -1L)]
    public async Task Load_honours_the_selection_criteria(long maxSeq, int? maxMinutes, long minSeq, int? minMinutes, long expected)
    {
        var store = Open();
        await SaveAsync(store, "c", 10, 1);
        await SaveAsync(store, "c", 20, 2);
        await SaveAsync(store, "c", 30, 3);
        var criteria = new SnapshotSelectionCriteria(maxSeq, maxMinutes is { } max ? T0.AddMinutes(max) : null, minSeq, minMinutes is { } min ? T0.AddMinutes(min) : null);

        var loaded = await store.LoadAsync("c", criteria);

        Assert.Equal(expected < 0 ? null : expected, loaded?.Metadata.SequenceNr);
        if (loaded is not null)
        {
            Assert.True(criteria.Matches(loaded.Metadata));
        }
    }

    [Fact]
    public async Task Saving_the_same_sequence_nr_again_replaces_the_snapshot()
    {
        var store = Open();
        await SaveAsync(store, "r", 5, 1);
        await store.SaveAsync(new SnapshotMetadata("r", 5, T0.AddMinutes(2)), "fabric.test.State.v2", new byte[] { 7, 7 });

        var loaded = await store.LoadAsync("r", SnapshotSelectionCriteria.Latest);

        Assert.Equal(new SnapshotMetadata("r", 5, T0.AddMinutes(2)), loaded!.Metadata);
        Assert.Equal("fabric.test.State.v2", loaded.Manifest);
        Assert.Equal(new byte[] { 7, 7 }, loaded.Payload.ToArray());
    }

    [Fact]
    public async Task Delete_by_metadata_removes_exactly_that_snapshot()
    {
        var store = Open();
        await SaveAsync(store, "d", 10, 1);
        await SaveAsync(store, "d", 20, 2);
        await SaveAsync(store, "e", 20, 2);

        await store.DeleteAsync(new SnapshotMetadata("d", 20, T0.AddMinutes(2)));

        Assert.Equal(10, (await store.LoadAsync("d", SnapshotSelectionCriteria.Latest))!.Metadata.SequenceNr);
        Assert.Equal(20, (await store.LoadAsync("e", SnapshotSelectionCriteria.Latest))!.Metadata.SequenceNr);
    }

    [Fact]
    public async Task Delete_by_criteria_removes_the_matching_snapshots_only()
    {
        var store = Open();
        for (int i = 1; i <= 5; i++)
        {
            await SaveAsync(store, "dc", i * 10, i);
        }

        await SaveAsync(store, "keep", 10, 1);

        await store.DeleteAsync("dc", new SnapshotSelectionCriteria(40, MinSequenceNr: 20));
        Assert.Equal(50, (await store.LoadAsync("dc", SnapshotSelectionCriteria.Latest))!.Metadata.SequenceNr);
        Assert.Equal(10, (await store.LoadAsync("dc", new SnapshotSelectionCriteria(45)))!.Metadata.SequenceNr);

        await store.DeleteAsync("dc", new SnapshotSelectionCriteria(long.MaxValue, T0.AddMinutes(1)));
        Assert.Null(await store.LoadAsync("dc", new SnapshotSelectionCriteria(45)));

        await store.DeleteAsync("dc", SnapshotSelectionCriteria.Latest);
        Assert.Null(await store.LoadAsync("dc", SnapshotSelectionCriteria.Latest));
        Assert.NotNull(await store.LoadAsync("keep", SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Large_snapshots_round_trip_and_a_reopened_store_reads_them_back()
    {
        await using (var store = CreateStore())
        {
            await SaveAsync(store, "big", 7, 1, 8 * 1024 * 1024);
        }

        await using var reopened = CreateStore();
        var loaded = await reopened.LoadAsync("big", SnapshotSelectionCriteria.Latest);

        Assert.Equal(State(7, 8 * 1024 * 1024), loaded!.Payload.ToArray());
    }

    [Fact]
    public async Task An_unavailable_store_fails_with_one_clear_line_and_works_again_when_it_returns()
    {
        var store = await OpenStoreDuringOutageAsync();
        _opened.Add(store);

        var failure = await Assert.ThrowsAsync<SqlStoreException>(() => SaveAsync(store, "o", 1, 1));
        Assert.StartsWith(OutageMessagePrefix, failure.Message);
        Assert.DoesNotContain('\n', failure.Message);

        await EndOutageAsync();

        await SaveAsync(store, "o", 1, 1);
        Assert.Equal(1, (await store.LoadAsync("o", SnapshotSelectionCriteria.Latest))!.Metadata.SequenceNr);
    }
}
