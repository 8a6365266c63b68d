using Fabric.Actors.Upcalls;

namespace Fabric.Actors.Tests.Upcalls;

/// <summary>One poll thread's memory of the sources it sent to be learned: lifetime, tables kept apart, bounded by purging.</summary>
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
        for (var i = 0; i < ProvisionalMacs.PurgeAbove; i++)
        {
            p.Add(1, 0, 0x0200_0000_0000UL + (ulong)i, 1, nowMs: 0);
        }

        Assert.Equal(ProvisionalMacs.PurgeAbove, p.Count);
        p.Add(1, 0, 0x0400_0000_0000UL, 2, nowMs: ProvisionalMacs.LifetimeMs + 1);
        Assert.Equal(1, p.Count);
        Assert.Equal(2, p.Lookup(1, 0, 0x0400_0000_0000UL, ProvisionalMacs.LifetimeMs + 1));
    }
}
