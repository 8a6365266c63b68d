using Fabric.Actors.Bridge;

namespace Fabric.Actors.Tests.Bridge;

public sealed class MacLearningTableTests
{
    private const ulong A = 0x0254_0000_0001;
    private const ulong B = 0x0254_0000_0002;

    [Fact]
    public void Learns_refreshes_after_one_second_and_moves()
    {
        var t = new MacLearningTable();
        Assert.Equal(MacLearnResult.Learned, t.Learn(10, A, 1, 1_000));
        Assert.Equal(MacLearnResult.Unchanged, t.Learn(10, A, 1, 1_500));
        Assert.Equal(MacLearnResult.Refreshed, t.Learn(10, A, 1, 2_000));
        Assert.Equal(MacLearnResult.Moved, t.Learn(10, A, 2, 2_100));
        Assert.Equal(2, t.Lookup(10, A));
        Assert.Null(t.Lookup(20, A));
        Assert.Equal((1L, 1L, 0L, 0L), t.Statistics);
    }

    [Fact]
    public void Never_learns_or_finds_multicast_addresses()
    {
        var t = new MacLearningTable();
        Assert.Equal(MacLearnResult.Unchanged, t.Learn(0, 0x0100_5e00_0001, 1, 0));
        Assert.Equal(MacLearnResult.Unchanged, t.Learn(0, 0xffff_ffff_ffff, 1, 0));
        Assert.Equal(0, t.Count);
        Assert.Null(t.Lookup(0, 0xffff_ffff_ffff));
    }

    [Fact]
    public void Entries_expire_after_the_aging_time_and_the_version_moves()
    {
        var t = new MacLearningTable(agingTime: TimeSpan.FromSeconds(300));
        t.Learn(0, A, 1, 0);
        t.Learn(0, B, 2, 100_000);
        var v = t.Version;
        Assert.Empty(t.Expire(299_999));
        var gone = t.Expire(300_000);
        Assert.Equal(A, Assert.Single(gone).Mac);
        Assert.True(t.Version > v);
        Assert.Null(t.Lookup(0, A));
        Assert.Equal(2, t.Lookup(0, B));
    }

    [Fact]
    public void Aging_time_and_size_are_clamped_like_ovs()
    {
        var t = new MacLearningTable(maxEntries: 1, agingTime: TimeSpan.FromSeconds(1));
        Assert.Equal(10, t.MaxEntries);
        Assert.Equal(TimeSpan.FromSeconds(15), t.AgingTime);
        Assert.Equal(TimeSpan.FromSeconds(3600), new MacLearningTable(agingTime: TimeSpan.FromHours(5)).AgingTime);
    }

    [Fact]
    public void A_full_table_evicts_the_oldest_entry_of_the_port_with_the_most_entries()
    {
        var t = new MacLearningTable(maxEntries: 10);
        // Port 1 owns 7 entries, port 2 owns 3; port 2's entries are the oldest of all.
        for (ulong i = 0; i < 3; i++)
        {
            t.Learn(0, 0x0200_0000_0100 + i, 2, (long)i);
        }

        for (ulong i = 0; i < 7; i++)
        {
            t.Learn(0, 0x0200_0000_0000 + i, 1, 10 + (long)i);
        }

        t.Learn(0, 0x0200_0000_0fff, 3, 100);
        Assert.Equal(10, t.Count);
        Assert.Null(t.Lookup(0, 0x0200_0000_0000));          // port 1's LRU entry went
        Assert.Equal(2, t.Lookup(0, 0x0200_0000_0100));      // port 2's older entries stayed
        Assert.Equal(1, t.Statistics.Evicted);
    }

    [Fact]
    public void Refresh_keeps_an_entry_alive_without_moving_it()
    {
        var t = new MacLearningTable(agingTime: TimeSpan.FromSeconds(300));
        t.Learn(0, A, 1, 0);
        t.Refresh(0, A, 2, 200_000); // wrong port: ignored
        t.Refresh(0, A, 1, 250_000);
        Assert.Empty(t.Expire(300_000));
        Assert.Equal(1, t.Lookup(0, A));
        Assert.Single(t.Expire(550_000));
    }

    [Fact]
    public void Flush_and_flush_port_remove_entries()
    {
        var t = new MacLearningTable();
        t.Learn(0, A, 1, 0);
        t.Learn(0, B, 2, 0);
        Assert.Equal(B, Assert.Single(t.FlushPort(2)).Mac);
        Assert.Null(t.Lookup(0, B));
        Assert.Equal(1, t.Flush());
        Assert.Equal(0, t.Count);
    }

    [Fact]
    public void Views_are_immutable_versions_that_change_only_with_the_table()
    {
        var t = new MacLearningTable();
        var empty = t.View;
        Assert.Same(empty, t.View);
        t.Learn(0, A, 1, 0);
        var one = t.View;
        Assert.NotSame(empty, one);
        Assert.Null(empty.Lookup(0, A));
        Assert.Equal(1, one.Lookup(0, A));
        Assert.Equal(t.Version, one.Version);
        Assert.Equal(t.Epoch, one.Epoch);

        t.Learn(0, A, 1, 500); // unchanged: same version
        Assert.Same(one, t.View);
        t.Expire(1_000_000);
        Assert.Null(t.View.Lookup(0, A));
        Assert.Equal(1, one.Lookup(0, A));
        Assert.NotEqual(new MacLearningTable().Epoch, t.Epoch);
        Assert.NotEqual(0, t.Epoch);
    }

    [Fact]
    public void A_gratuitous_arp_lock_shows_in_the_view_for_5_s_and_goes_with_its_entry()
    {
        var t = new MacLearningTable();
        Assert.False(t.LockGratArp(10, 0x0200_0000_0001UL, 1000)); // no entry: nothing to lock
        t.Learn(10, 0x0200_0000_0001UL, 1, 1000);
        var before = t.Version;
        Assert.True(t.LockGratArp(10, 0x0200_0000_0001UL, 1000));
        Assert.False(t.LockGratArp(10, 0x0200_0000_0001UL, 2000)); // extended, not new
        Assert.True(t.View.IsGratArpLocked(10, 0x0200_0000_0001UL));
        Assert.False(t.View.IsGratArpLocked(20, 0x0200_0000_0001UL));
        Assert.True(t.Version > before);

        Assert.Empty(t.ExpireGratArpLocks(6999)); // locked until 2000 + 5000
        Assert.Equal([(10, 0x0200_0000_0001UL)], t.ExpireGratArpLocks(7000));
        Assert.False(t.View.IsGratArpLocked(10, 0x0200_0000_0001UL));

        t.LockGratArp(10, 0x0200_0000_0001UL, 8000);
        t.Flush();
        Assert.False(t.View.IsGratArpLocked(10, 0x0200_0000_0001UL));
    }
}
