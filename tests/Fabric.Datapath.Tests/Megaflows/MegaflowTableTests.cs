using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Megaflows;

public class MegaflowTableTests
{
    private static FlowMask Mask(bool inPort = true, bool src = false, bool dst = false, bool tpDst = false, uint ipDst = 0)
    {
        var wc = default(FlowWildcards);
        if (inPort)
        {
            wc.UnwildcardInPort();
        }

        if (src)
        {
            wc.UnwildcardDlSrc();
        }

        if (dst)
        {
            wc.UnwildcardDlDst();
        }

        if (tpDst)
        {
            wc.UnwildcardTpDst();
        }

        if (ipDst != 0)
        {
            wc.UnwildcardIpv4Dst(ipDst);
        }

        wc.UnwildcardDlType();
        return wc.ToMask();
    }

    private static FlowKey Key(ushort inPort, ulong src, ulong dst, uint ipDst = 0, ushort tpDst = 0) =>
        FlowKey.Create(inPort, src, dst, 0x0800, nwProto: 17, ipv4Src: Ip(10, 0, 0, 1), ipv4Dst: ipDst, tpSrc: 999, tpDst: tpDst, nwTtl: 64);

    [Fact]
    public void Lookup_finds_the_flow_in_the_subtable_whose_mask_matches()
    {
        var table = new MegaflowTable();
        Megaflow byDst = table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2));
        Megaflow byPort = table.Install(Key(2, MacA, MacB, tpDst: 53), Mask(tpDst: true), DatapathActions.OutputTo(3));
        Megaflow bySubnet = table.Install(Key(3, 0, 0, ipDst: Ip(192, 168, 1, 0)), Mask(ipDst: 0xffffff00), DatapathActions.OutputTo(4));

        Assert.Equal(3, table.MaskCount);
        Assert.Same(byDst, table.Lookup(Key(1, 0x111111111111, MacB, Ip(1, 1, 1, 1), 7)));
        Assert.Same(byPort, table.Lookup(Key(2, 0x222222222222, 0x333333333333, Ip(8, 8, 8, 8), 53)));
        Assert.Same(bySubnet, table.Lookup(Key(3, MacA, MacB, Ip(192, 168, 1, 77), 80)));
        Assert.Null(table.Lookup(Key(3, MacA, MacB, Ip(192, 168, 2, 77), 80)));
        Assert.Null(table.Lookup(Key(2, MacA, MacB, tpDst: 54)));
        Assert.Null(table.Lookup(Key(1, MacA, MacA)));

        Assert.Equal(byDst.Key, Key(1, MacA, MacB).Masked(Mask(dst: true)));
        Assert.NotNull(table.Lookup(Key(3, MacA, MacB, Ip(192, 168, 1, 1)), out int probed));
        Assert.Equal(3, probed);
    }

    [Fact]
    public void Subtables_that_share_their_l2_mask_words_share_the_first_stage_and_still_match_on_their_own_words()
    {
        var table = new MegaflowTable();
        // One L2 match (in_port, dl_src, dl_dst, dl_type), two different L3/L4 matches on top: one first-stage group.
        Megaflow web = table.Install(Key(1, MacA, MacB, tpDst: 80), Mask(src: true, dst: true, tpDst: true), DatapathActions.OutputTo(2));
        Megaflow subnet = table.Install(Key(1, MacA, MacB, ipDst: Ip(10, 2, 0, 0)), Mask(src: true, dst: true, ipDst: 0xffff0000), DatapathActions.OutputTo(3));
        Megaflow reverse = table.Install(Key(2, MacB, MacA), Mask(src: true, dst: true), DatapathActions.OutputTo(1));
        Assert.Equal(3, table.MaskCount);

        Assert.Same(web, table.Lookup(Key(1, MacA, MacB, Ip(10, 9, 9, 9), 80)));
        Assert.Same(subnet, table.Lookup(Key(1, MacA, MacB, Ip(10, 2, 7, 7), 443)));
        Assert.Same(reverse, table.Lookup(Key(2, MacB, MacA, Ip(10, 2, 7, 7), 80)));

        // The L2 fields are in both subtables of the group, the L3 and L4 ones in neither: the first stage passes, the rest refuses.
        Assert.Null(table.Lookup(Key(1, MacA, MacB, Ip(10, 3, 0, 1), 443)));
        // Another packet's L2 fields: every subtable refuses at the first stage.
        Assert.Null(table.Lookup(Key(1, MacB, MacB, Ip(10, 2, 7, 7), 80)));
    }

    [Fact]
    public void More_distinct_l2_masks_than_a_lookup_caches_stage_states_for_are_each_searched()
    {
        var table = new MegaflowTable();
        var flows = new List<(FlowKey Key, Megaflow Flow)>();
        for (int i = 0; i < 24; i++)
        {
            // dl_src matched on its top 24 + i bits: 24 masks that differ in an L2 word, so 24 first-stage groups.
            var wc = default(FlowWildcards);
            wc.UnwildcardInPort();
            wc.UnwildcardDlType();
            wc.UnwildcardDlSrc(0xffff_ffff_ffffUL << (24 - i) & 0xffff_ffff_ffffUL);
            wc.UnwildcardTpDst();
            FlowKey key = Key((ushort)(i + 1), MacA + (ulong)(i << 8), MacB, tpDst: (ushort)(1000 + i));
            flows.Add((key, table.Install(key, wc.ToMask(), DatapathActions.OutputTo(2))));
        }

        Assert.Equal(24, table.MaskCount);
        foreach (var (key, flow) in flows)
        {
            Assert.Same(flow, table.Lookup(key));
            Assert.Null(table.Lookup(Key(key.InPort, key.DlSrc, MacB, tpDst: 1)));
        }
    }

    [Fact]
    public void Install_of_the_same_masked_key_replaces_actions_and_returns_the_same_flow()
    {
        var table = new MegaflowTable();
        Megaflow first = table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2), owner: "shard-0");
        long gen = table.Generation;

        Megaflow second = table.Install(Key(1, 0x999999999999, MacB, tpDst: 9), Mask(dst: true), DatapathActions.OutputTo(5));

        Assert.Same(first, second);
        Assert.Equal("5", first.Actions.ToString());
        Assert.Equal("shard-0", first.Owner);
        Assert.Equal(1, table.Count);
        Assert.True(table.Generation > gen);
    }

    [Fact]
    public void Remove_and_remove_where_delete_flows_and_empty_subtables()
    {
        var table = new MegaflowTable();
        Megaflow a = table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2), owner: 1);
        Megaflow b = table.Install(Key(1, MacA, MacA), Mask(dst: true), DatapathActions.OutputTo(3), owner: 2);
        Megaflow c = table.Install(Key(2, MacA, MacB, tpDst: 1), Mask(tpDst: true), DatapathActions.OutputTo(4), owner: 2);

        Assert.True(table.Remove(a));
        Assert.False(table.Remove(a));
        Assert.False(a.IsLive);
        Assert.Null(table.Lookup(Key(1, MacA, MacB)));
        Assert.Same(b, table.Lookup(Key(1, MacA, MacA)));

        Assert.Equal(2, table.RemoveWhere(f => Equals(f.Owner, 2)));
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.MaskCount);
        Assert.False(c.IsLive);
        Assert.Empty(table.Snapshot());
    }

    [Fact]
    public void Flow_limit_refuses_new_flows_but_allows_replacement()
    {
        var table = new MegaflowTable(flowLimit: 2);
        table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2));
        table.Install(Key(1, MacA, MacA), Mask(dst: true), DatapathActions.OutputTo(2));

        Assert.Throws<InvalidOperationException>(() => table.Install(Key(1, MacA, 7), Mask(dst: true), DatapathActions.OutputTo(2)));
        table.Install(Key(1, MacA, MacA), Mask(dst: true), DatapathActions.OutputTo(3));
        Assert.Equal(2, table.Count);

        table.FlowLimit = 3;
        table.Install(Key(1, MacA, 7), Mask(dst: true), DatapathActions.OutputTo(2));
        Assert.Equal(3, table.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.FlowLimit = 0);
    }

    [Fact]
    public void Modify_actions_is_seen_by_lookups_and_rejects_foreign_flows()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2));

        table.ModifyActions(f, DatapathActions.Drop);

        Assert.True(table.Lookup(Key(1, MacA, MacB))!.Actions.IsDrop);
        var other = new MegaflowTable();
        Megaflow foreign = other.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2));
        Assert.Throws<ArgumentException>(() => table.ModifyActions(foreign, DatapathActions.Drop));
        table.Remove(f);
        Assert.Throws<ArgumentException>(() => table.ModifyActions(f, DatapathActions.Drop));
    }

    [Fact]
    public void Clear_removes_everything_and_marks_flows_dead()
    {
        var table = new MegaflowTable();
        Megaflow f = table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2));
        table.Clear();

        Assert.Equal(0, table.Count);
        Assert.False(f.IsLive);
        Assert.Null(table.Lookup(Key(1, MacA, MacB)));
    }

    [Fact]
    public void Many_flows_survive_growth_and_tombstones()
    {
        var table = new MegaflowTable();
        var flows = new List<Megaflow>();
        for (int i = 0; i < 5000; i++)
        {
            flows.Add(table.Install(Key(1, MacA, (ulong)i), Mask(dst: true), DatapathActions.OutputTo((ushort)(i % 7))));
        }

        for (int i = 0; i < 5000; i += 2)
        {
            Assert.True(table.Remove(flows[i]));
        }

        for (int i = 0; i < 5000; i++)
        {
            Megaflow? hit = table.Lookup(Key(1, MacA, (ulong)i));
            if (i % 2 == 0)
            {
                Assert.Null(hit);
            }
            else
            {
                Assert.Same(flows[i], hit);
            }
        }

        Assert.Equal(2500, table.Count);
        Assert.Equal(2500, table.Snapshot().Count);
    }

    [Fact]
    public void Rerank_puts_the_most_hit_subtable_first()
    {
        var table = new MegaflowTable();
        table.Install(Key(1, MacA, MacB), Mask(dst: true), DatapathActions.OutputTo(2));
        table.Install(Key(2, MacA, MacB, tpDst: 53), Mask(tpDst: true), DatapathActions.OutputTo(3));
        for (int i = 0; i < 10; i++)
        {
            Assert.NotNull(table.Lookup(Key(2, MacA, MacB, tpDst: 53)));
        }

        Assert.NotNull(table.Lookup(Key(2, MacA, MacB, tpDst: 53), out int before));
        Assert.Equal(2, before);

        Assert.True(table.Rerank());

        Assert.NotNull(table.Lookup(Key(2, MacA, MacB, tpDst: 53), out int after));
        Assert.Equal(1, after);
        Assert.Equal(Mask(tpDst: true), table.Subtables()[0].Mask);
    }

    [Fact]
    public void Lookup_allocates_nothing()
    {
        var table = new MegaflowTable();
        for (int m = 0; m < 4; m++)
        {
            table.Install(Key(1, MacA, MacB, tpDst: (ushort)m), Mask(dst: m == 0, src: m == 1, tpDst: m == 2, ipDst: m == 3 ? 0xffffff00 : 0), DatapathActions.OutputTo(2));
        }

        FlowKey probe = Key(9, 1, 2, 3, 4);
        table.Lookup(probe);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            table.Lookup(probe);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void One_writer_and_one_reader_never_see_a_torn_flow()
    {
        // The writer keeps installing, modifying and removing flows whose actions encode their key; the
        // reader checks every hit is consistent: the flow matches the probe and its actions fit its key.
        var table = new MegaflowTable();
        FlowMask mask = Mask(dst: true);
        using var stop = new CancellationTokenSource();
        long readerHits = 0;
        string? failure = null;
        var reader = new Thread(() =>
        {
            var rnd = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                ulong dst = (ulong)rnd.Next(0, 64);
                Megaflow? f = table.Lookup(Key(1, MacA, dst));
                if (f is null)
                {
                    continue;
                }

                readerHits++;
                ReadOnlySpan<DatapathAction> items = f.Actions.Items;
                if (f.Key.DlDst != dst || items.Length != 1 || items[0].Port % 64 != (ushort)dst)
                {
                    failure = $"torn: probe {dst}, flow {f.Key.DlDst}, actions {f.Actions}";
                    return;
                }
            }
        });
        reader.Start();
        var live = new Megaflow?[64];
        var wrnd = new Random(2);
        for (int i = 0; i < 100_000 && failure is null; i++)
        {
            int d = wrnd.Next(0, 64);
            ushort port = (ushort)(d + (64 * wrnd.Next(0, 100)));
            switch (wrnd.Next(0, 3))
            {
                case 0:
                    live[d] = table.Install(Key(1, MacA, (ulong)d), mask, DatapathActions.OutputTo(port));
                    break;
                case 1 when live[d] is { } f:
                    table.ModifyActions(f, DatapathActions.OutputTo(port));
                    break;
                case 2 when live[d] is { } f:
                    table.Remove(f);
                    live[d] = null;
                    break;
            }
        }

        stop.Cancel();
        reader.Join();
        Assert.Null(failure);
        Assert.True(readerHits > 0);
    }
}
