using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Xunit;

namespace Fabric.Datapath.Tests.Megaflows;

/// <summary>The classifier at scale: many masks, many in_ports, per-thread hit counting and re-ranking.</summary>
public class MegaflowClassifierTests
{
    private const int MaskKinds = 40;

    // Mask m: in_port, dl_type and dl_src always; then nw_dst /(8 + m % 25); tp_dst when m is odd; nw_src /16 from m = 25.
    private static FlowMask MaskOf(int m)
    {
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlType();
        wc.UnwildcardDlSrc();
        wc.UnwildcardNwProto();
        wc.UnwildcardIpv4Dst(uint.MaxValue << (32 - (8 + (m % 25))));
        if ((m & 1) != 0)
        {
            wc.UnwildcardTpDst();
        }

        if (m >= 25)
        {
            wc.UnwildcardIpv4Src(0xffff0000);
        }

        return wc.ToMask();
    }

    // A packet of flow f (its own dl_src), with fields that no mask matches (dl_dst, tp_src, nw_ttl, the low half of nw_src) varied by salt.
    private static FlowKey PacketOf(int f, ushort inPort, int salt) =>
        FlowKey.Create(
            inPort,
            0x0200_0000_0000UL | (uint)f,
            0x0400_0000_0000UL | (uint)salt,
            0x0800,
            nwProto: 17,
            ipv4Src: (uint)(f * 0x01000193) ^ ((uint)salt & 0xffff),
            ipv4Dst: (uint)f * 0x9E3779B1,
            tpSrc: (ushort)(1024 + salt),
            tpDst: (ushort)(53 + (f % 7)),
            nwTtl: (byte)(64 - (salt & 7)));

    [Fact]
    public void Lookups_across_many_masks_and_in_ports_return_the_flow_the_packet_belongs_to()
    {
        var table = new MegaflowTable();
        var flows = new Megaflow[4000];
        for (int f = 0; f < flows.Length; f++)
        {
            flows[f] = table.Install(PacketOf(f, (ushort)(1 + (f % 5)), 0), MaskOf(f % MaskKinds), DatapathActions.OutputTo((ushort)f));
        }

        Assert.Equal(MaskKinds, table.MaskCount);
        MegaflowLookupContext context = table.CreateLookupContext();
        for (int f = 0; f < flows.Length; f++)
        {
            // Any packet of the flow, whatever its wildcarded fields hold, finds it; from another in_port it finds nothing.
            Assert.Same(flows[f], table.Lookup(PacketOf(f, (ushort)(1 + (f % 5)), f * 31), context, out int probed));
            Assert.InRange(probed, 1, MaskKinds);
            Assert.Null(table.Lookup(PacketOf(f, (ushort)(1 + ((f + 1) % 5)), f), context, out probed));
            Assert.Equal(MaskKinds, probed);
        }
    }

    [Fact]
    public void A_bit_that_the_mask_matches_must_equal_the_flows()
    {
        var table = new MegaflowTable();
        Megaflow flow = table.Install(PacketOf(7, 1, 0), MaskOf(1), DatapathActions.OutputTo(2));
        FlowKey packet = PacketOf(7, 1, 0);

        Assert.Same(flow, table.Lookup(packet));
        Assert.Null(table.Lookup(PacketOf(7, 1, 0).WithInPort(2)));
        Assert.Null(table.Lookup(PacketOf(8, 1, 0)));

        // nw_dst /9: the ninth bit counts, the tenth does not.
        FlowKey ninth = FlowKey.Create(1, packet.DlSrc, packet.DlDst, 0x0800, nwProto: 17, ipv4Src: packet.Ipv4Src, ipv4Dst: packet.Ipv4Dst ^ 0x0080_0000, tpDst: packet.TpDst);
        FlowKey tenth = FlowKey.Create(1, packet.DlSrc, packet.DlDst, 0x0800, nwProto: 17, ipv4Src: packet.Ipv4Src, ipv4Dst: packet.Ipv4Dst ^ 0x0040_0000, tpDst: packet.TpDst);
        Assert.Null(table.Lookup(ninth));
        Assert.Same(flow, table.Lookup(tenth));
    }

    [Fact]
    public void Removed_flows_are_not_found_and_the_others_still_are_across_masks()
    {
        var table = new MegaflowTable();
        var flows = new Megaflow[2000];
        for (int f = 0; f < flows.Length; f++)
        {
            flows[f] = table.Install(PacketOf(f, 1, 0), MaskOf(f % MaskKinds), DatapathActions.OutputTo(2));
        }

        for (int f = 0; f < flows.Length; f++)
        {
            Assert.Same(flows[f], table.Lookup(PacketOf(f, 1, 1)));
        }

        // Remove every flow of the even masks, and every third flow of the others.
        for (int f = 0; f < flows.Length; f++)
        {
            if ((f % MaskKinds) % 2 == 0 || f % 3 == 0)
            {
                Assert.True(table.Remove(flows[f]));
            }
        }

        Assert.Equal(MaskKinds / 2, table.MaskCount);
        for (int f = 0; f < flows.Length; f++)
        {
            bool removed = (f % MaskKinds) % 2 == 0 || f % 3 == 0;
            Assert.Equal(removed ? null : flows[f], table.Lookup(PacketOf(f, 1, f)));
        }

        // A mask that comes back starts a fresh subtable: the hits its predecessor had do not count.
        Megaflow again = table.Install(PacketOf(0, 1, 0), MaskOf(0), DatapathActions.OutputTo(3));
        Assert.Same(again, table.Lookup(PacketOf(0, 1, 5)));
        Assert.Equal(1, Hits(table, MaskOf(0)));
    }

    [Fact]
    public void Churn_of_flows_and_masks_keeps_every_live_flow_found_and_no_removed_one()
    {
        // Rounds of installs and removals over 40 masks: subtables grow and rebuild their filters (whose bits of removed
        // flows go stale until then), empty ones go and their indexes are reused by new masks; a lookup must still find
        // exactly the live flows.
        var table = new MegaflowTable();
        var live = new Dictionary<int, Megaflow>();
        for (int round = 0; round < 6; round++)
        {
            int first = round * 1500;
            for (int f = first; f < first + 3000; f++)
            {
                if (!live.ContainsKey(f))
                {
                    live[f] = table.Install(PacketOf(f, 1, 0), MaskOf((f + round) % MaskKinds), DatapathActions.OutputTo(2));
                }
            }

            // Remove the older half, and every flow of one mask (its subtable goes; a later mask takes its index).
            FlowMask gone = MaskOf(round);
            foreach (int f in live.Keys.Where(f => f < first + 1500 || live[f].Mask.Equals(gone)).ToList())
            {
                Assert.True(table.Remove(live[f]));
                live.Remove(f);
            }

            Assert.Equal(live.Count, table.Count);
            for (int f = 0; f < first + 3000; f++)
            {
                Assert.Equal(live.GetValueOrDefault(f), table.Lookup(PacketOf(f, 1, f + round)));
            }
        }
    }

    [Fact]
    public void Rerank_sums_the_hits_of_every_context_and_starts_a_new_interval()
    {
        var table = new MegaflowTable();
        for (int m = 0; m < 3; m++)
        {
            table.Install(PacketOf(m, 1, 0), MaskOf(m), DatapathActions.OutputTo(2));
        }

        MegaflowLookupContext first = table.CreateLookupContext();
        MegaflowLookupContext second = table.CreateLookupContext();

        // Mask 2 gets 3 + 3 hits from two threads, mask 1 gets 5 from one: mask 2 ranks first, then mask 1.
        var other = new Thread(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                table.Lookup(PacketOf(2, 1, i), second, out _);
            }
        });
        other.Start();
        for (int i = 0; i < 3; i++)
        {
            table.Lookup(PacketOf(2, 1, i), first, out _);
        }

        for (int i = 0; i < 5; i++)
        {
            table.Lookup(PacketOf(1, 1, i), first, out _);
        }

        other.Join();
        Assert.Equal(6, Hits(table, MaskOf(2)));
        Assert.True(table.Rerank());

        IReadOnlyList<(FlowMask Mask, long Hits, int Flows)> order = table.Subtables();
        Assert.Equal([MaskOf(2), MaskOf(1), MaskOf(0)], order.Select(s => s.Mask));
        Assert.All(order, s => Assert.Equal(0, s.Hits));
        Assert.NotNull(table.Lookup(PacketOf(2, 1, 9), first, out int probed));
        Assert.Equal(1, probed);

        // The next interval counts from zero: mask 2 has one hit (above), mask 0 two, and mask 0 goes first.
        table.Lookup(PacketOf(0, 1, 1), second, out _);
        table.Lookup(PacketOf(0, 1, 2), first, out _);
        Assert.True(table.Rerank());
        Assert.Equal(MaskOf(0), table.Subtables()[0].Mask);
    }

    [Fact]
    public void Lookup_with_a_context_allocates_nothing_once_it_has_seen_every_subtable()
    {
        var table = new MegaflowTable();
        for (int f = 0; f < 200; f++)
        {
            table.Install(PacketOf(f, 1, 0), MaskOf(f % MaskKinds), DatapathActions.OutputTo(2));
        }

        MegaflowLookupContext context = table.CreateLookupContext();
        for (int f = 0; f < 200; f++)
        {
            table.Lookup(PacketOf(f, 1, 0), context, out _);
        }

        FlowKey[] packets = [.. Enumerable.Range(0, 200).Select(f => PacketOf(f, 1, 3))];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < packets.Length; i++)
        {
            table.Lookup(packets[i], context, out _);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static long Hits(MegaflowTable table, FlowMask mask)
    {
        foreach ((FlowMask m, long hits, _) in table.Subtables())
        {
            if (m == mask)
            {
                return hits;
            }
        }

        throw new InvalidOperationException("no such subtable");
    }
}
