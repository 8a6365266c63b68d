using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Megaflows;

public class ExactMatchCacheTests
{
    private static readonly FlowMask DstMask = MakeMask();

    private static FlowMask MakeMask()
    {
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlDst();
        return wc.ToMask();
    }

    private static FlowKey Key(ulong dst, ushort tp = 1) => FlowKey.Create(1, MacA, dst, 0x0800, nwProto: 17, tpSrc: tp);

    [Fact]
    public void Inserted_key_hits_and_a_different_key_misses()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(MacB), DstMask, DatapathActions.OutputTo(2));
        var emc = new ExactMatchCache(insertInvProb: 1);

        emc.MaybeInsert(Key(MacB), f);

        Assert.Same(f, emc.Lookup(Key(MacB)));
        Assert.Null(emc.Lookup(Key(MacB, tp: 2))); // same megaflow, but the EMC is exact
    }

    [Fact]
    public void Removed_flow_is_no_longer_returned()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(MacB), DstMask, DatapathActions.OutputTo(2));
        var emc = new ExactMatchCache(insertInvProb: 1);
        emc.Insert(Key(MacB), f);

        table.Remove(f);

        Assert.Null(emc.Lookup(Key(MacB)));
    }

    [Fact]
    public void Modified_actions_are_seen_through_the_cached_flow()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(MacB), DstMask, DatapathActions.OutputTo(2));
        var emc = new ExactMatchCache(insertInvProb: 1);
        emc.Insert(Key(MacB), f);

        table.ModifyActions(f, DatapathActions.OutputTo(7));

        Assert.Equal("7", emc.Lookup(Key(MacB))!.Actions.ToString());
    }

    [Fact]
    public void Zero_probability_disables_the_cache()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(MacB), DstMask, DatapathActions.OutputTo(2));
        var emc = new ExactMatchCache(insertInvProb: 0);

        emc.MaybeInsert(Key(MacB), f);

        Assert.False(emc.Enabled);
        Assert.Null(emc.Lookup(Key(MacB)));
    }

    [Fact]
    public void Default_probability_inserts_about_one_in_a_hundred()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(MacB), DstMask, DatapathActions.OutputTo(2));
        var emc = new ExactMatchCache(entries: 1 << 16, insertInvProb: 100);
        for (int i = 0; i < 20_000; i++)
        {
            emc.MaybeInsert(Key((ulong)i, (ushort)i), f);
        }

        int cached = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (emc.Lookup(Key((ulong)i, (ushort)i)) is not null)
            {
                cached++;
            }
        }

        Assert.InRange(cached, 100, 400);
    }

    [Fact]
    public void A_full_cache_keeps_working_with_two_candidate_slots()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(MacB), DstMask, DatapathActions.OutputTo(2));
        var emc = new ExactMatchCache(entries: 8, insertInvProb: 1);
        for (int i = 0; i < 100; i++)
        {
            emc.Insert(Key((ulong)i), f);
            Assert.Same(f, emc.Lookup(Key((ulong)i)));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new ExactMatchCache(entries: 100));
    }
}
