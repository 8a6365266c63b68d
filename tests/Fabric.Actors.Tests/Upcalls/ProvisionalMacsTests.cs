using Fabric.Actors.Upcalls;

namespace Fabric.Actors.Tests.Upcalls;

/// <summary>One poll thread's memory of the sources it sent to be learned: lifetime, tables kept apart, bounded by expiring in the order added and by its capacity.</summary>
public sealed class ProvisionalMacsTests
{
    [Fact]
    public void An_entry_answers_for_its_table_and_vlan_within_its_lifetime_only()
    {
        var p = new ProvisionalMacs();
        p.Add(epoch: 7, vlan: 10, mac: 0x0200_0000_0001, ofPort: 3, nowMs: 1000);
        Assert.Equal(3, p.Lookup(7, 10, 0x0200_0000_0001, 1000 + ProvisionalMacs.LifetimeMs));
        Assert.Null(p.Lookup(8, 10, 0x0200_0000_0001, 1000));
        Assert.Null(p.Lookup(7, 20, 0x0200_0000_0001, 1000));
        Assert.Null(p.Lookup(7, 10, 0x0200_0000_0001, 1001 + ProvisionalMacs.LifetimeMs));
        Assert.Equal(0, p.Count);
    }

    [Fact]
    public void A_burst_of_new_sources_is_forgotten_once_expired_so_the_memory_stays_bounded()
    {
        var p = new ProvisionalMacs();
        for (var i = 0; i < 1000; i++)
        {
            p.Add(1, 0, 0x0200_0000_0000UL + (ulong)i, 1, nowMs: i / 100);
        }

        Assert.Equal(1000, p.Count);

        // At 105 ms those added at 0..4 ms have expired (500 of them), the rest not yet.
        p.Add(1, 0, 0x0400_0000_0000UL, 2, nowMs: 5 + ProvisionalMacs.LifetimeMs);
        Assert.Equal(501, p.Count);
        Assert.Null(p.Lookup(1, 0, 0x0200_0000_0000UL + 499, 5 + ProvisionalMacs.LifetimeMs));
        Assert.Equal(1, p.Lookup(1, 0, 0x0200_0000_0000UL + 500, 5 + ProvisionalMacs.LifetimeMs));
        Assert.Equal(2, p.Lookup(1, 0, 0x0400_0000_0000UL, 5 + ProvisionalMacs.LifetimeMs));
    }

    [Fact]
    public void More_new_sources_than_the_capacity_within_the_lifetime_forget_the_oldest_first()
    {
        var p = new ProvisionalMacs();
        for (var i = 0; i < ProvisionalMacs.Capacity + 10; i++)
        {
            p.Add(1, 0, 0x0200_0000_0000UL + (ulong)i, 1, nowMs: 0);
        }

        Assert.Equal(ProvisionalMacs.Capacity, p.Count);
        Assert.Null(p.Lookup(1, 0, 0x0200_0000_0000UL + 9, 0));
        Assert.Equal(1, p.Lookup(1, 0, 0x0200_0000_0000UL + 10, 0));
    }

    [Fact]
    public void A_source_added_again_keeps_its_later_time()
    {
        var p = new ProvisionalMacs();
        p.Add(1, 0, 0x0200_0000_0001, 1, nowMs: 0);
        p.Add(1, 0, 0x0200_0000_0001, 3, nowMs: 60);

        // The first add's queue item expires at 101 ms and must not take the entry renewed at 60 ms with it.
        p.Add(1, 0, 0x0200_0000_0002, 2, nowMs: 101);
        Assert.Equal(3, p.Lookup(1, 0, 0x0200_0000_0001, 101));
    }
}
