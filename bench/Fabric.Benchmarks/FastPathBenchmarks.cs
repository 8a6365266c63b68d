using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Ports;

namespace Fabric.Benchmarks;

/// <summary>
/// Per-packet cost of the forwarding fast path on a prebuilt batch of 32 64-byte UDP/IPv4 frames (16 flows):
/// parse → EMC / megaflow lookup → stats → actions into transmit batches (not sent). Each operation is one
/// packet, so packets/s per core = 1e9 / (ns per op). Allocated bytes must be 0.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FastPathBenchmarks
{
    private const int Batch = 32;
    private const int Flows = 16;

    private readonly Dictionary<ushort, IDatapathPort> _ports = new();
    private PacketBatch _rx = null!;
    private FastPath _emcPath = null!;
    private FastPath _megaflowPath = null!;
    private FastPath _fourMaskPath = null!;
    private FastPath _bondPath = null!;
    private OutputBatches _outputs = null!;

    /// <summary>
    /// Bytes per batch slot: 2048 (vnet headers off) or <see cref="PacketBatch.LargeSlotSize"/>, the slots a datapath
    /// with vnet headers uses so that 64 KB GSO frames fit.
    /// </summary>
    [Params(PacketBatch.DefaultSlotSize, PacketBatch.LargeSlotSize)]
    public int SlotSize { get; set; } = PacketBatch.DefaultSlotSize;

    /// <summary>Builds the frames, the tables and warms the EMC.</summary>
    [GlobalSetup]
    public void Setup()
    {
        for (ushort p = 1; p <= 4; p++)
        {
            _ports[p] = new MemoryPort($"p{p}");
        }

        _outputs = new OutputBatches(batchCapacity: 256, slotSize: SlotSize);
        _outputs.SetPorts(_ports);

        // A balance-slb bond of ports 3 and 4: even buckets on 3, odd on 4.
        var bonds = new BondTable(threads: 1);
        var outputs = new ushort[BondMap.Buckets];
        for (int b = 0; b < outputs.Length; b++)
        {
            outputs[b] = (ushort)(3 + (b & 1));
        }

        bonds.Publish(new BondMap(1, "bond0", BondMode.BalanceSlb, outputs, 3, [new BondMember(3, true, true), new BondMember(4, true, true)], BondInputRule.Slb, false, bonds.CountersFor(1)));
        _outputs.AttachBonds(bonds, 0);
        _rx = new PacketBatch(Batch, SlotSize);
        for (int i = 0; i < Batch; i++)
        {
            int flow = i % Flows;
            _rx.TryAppend(Frame(0x505400000100UL + (ulong)flow, 0x505400000200UL + (ulong)(flow % 4), (ushort)(10_000 + flow), (ushort)(53 + (flow % 4))));

            // What a demultiplexing port (the VXLAN endpoint) leaves in each slot; only EmcHitPerFrameInPort reads it.
            _rx.SetInPort(i, 1);
        }

        var stats = new DatapathStats();
        var upcalls = new UpcallQueue(1024);

        // One L2 mask (NORMAL-style megaflows): every flow in one subtable.
        var l2 = new MegaflowTable();
        FlowMask l2Mask = L2Mask();
        for (int flow = 0; flow < Flows; flow++)
        {
            l2.Install(KeyOf(flow), l2Mask, DatapathActions.OutputTo((ushort)(2 + (flow % 3))));
        }

        // Four masks: the packets' flows are spread over four subtables.
        var four = new MegaflowTable();
        for (int flow = 0; flow < Flows; flow++)
        {
            four.Install(KeyOf(flow), FourMasks(flow % 4), DatapathActions.OutputTo((ushort)(2 + (flow % 3))));
        }

        // The same flows, output to the bond (a bucket per flow).
        var bonded = new MegaflowTable();
        for (int flow = 0; flow < Flows; flow++)
        {
            bonded.Install(KeyOf(flow), l2Mask, DatapathActions.Create([DatapathAction.Bond(1, (byte)flow)]));
        }

        _emcPath = new FastPath(l2, stats, upcalls, new ExactMatchCache(insertInvProb: 1), _outputs);
        _bondPath = new FastPath(bonded, stats, upcalls, new ExactMatchCache(insertInvProb: 1), _outputs);
        _megaflowPath = new FastPath(l2, stats, upcalls, new ExactMatchCache(insertInvProb: 0), _outputs);
        _fourMaskPath = new FastPath(four, stats, upcalls, new ExactMatchCache(insertInvProb: 0), _outputs);

        // Warm the EMC and check that every packet hits (a miss would allocate an upcall).
        _emcPath.Process(_rx, 1, 1);
        _fourMaskPath.Process(_rx, 1, 1);
        _bondPath.Process(_rx, 1, 1);
        _outputs.Clear();
        if (stats.Missed != 0 || upcalls.Count != 0)
        {
            throw new InvalidOperationException("benchmark flows do not cover the batch");
        }
    }

    /// <summary>Frees the batches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _outputs.Dispose();
        _rx.Dispose();
    }

    /// <summary>Every packet hits the exact-match cache.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public void EmcHit()
    {
        _emcPath.Process(_rx, 1, 1);
        _outputs.Clear();
    }

    /// <summary>As <see cref="EmcHit"/>, the batch from a demultiplexing port: each frame's in_port read from its slot.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void EmcHitPerFrameInPort()
    {
        _emcPath.Process(_rx, 0, 1);
        _outputs.Clear();
    }

    /// <summary>EMC disabled; every packet is found in the single L2 subtable.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void MegaflowHitOneMask()
    {
        _megaflowPath.Process(_rx, 1, 1);
        _outputs.Clear();
    }

    /// <summary>EMC disabled; flows spread over four masks (on average 2.5 subtables probed per packet).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void MegaflowHitFourMasks()
    {
        _fourMaskPath.Process(_rx, 1, 1);
        _outputs.Clear();
    }

    /// <summary>Every packet hits the exact-match cache and leaves by a bond output (bucket → member through the bond table, bucket bytes counted).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void EmcHitBondOutput()
    {
        _bondPath.Process(_rx, 1, 1);
        _outputs.Clear();
    }

    private static FlowKey KeyOf(int flow)
    {
        byte[] f = Frame(0x505400000100UL + (ulong)flow, 0x505400000200UL + (ulong)(flow % 4), (ushort)(10_000 + flow), (ushort)(53 + (flow % 4)));
        Fabric.Datapath.Packets.PacketParser.Parse(f, 1, out FlowKey key, out _);
        return key;
    }

    /// <summary>The mask of a NORMAL megaflow: in_port, dl_src, dl_dst, dl_type, vlan_tci, nw_frag.</summary>
    internal static FlowMask L2Mask()
    {
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardDlType();
        wc.UnwildcardVlanTci();
        wc.UnwildcardNwFrag();
        return wc.ToMask();
    }

    private static FlowMask FourMasks(int which)
    {
        FlowWildcards wc = FlowWildcards.From(L2Mask());
        switch (which)
        {
            case 1:
                wc.UnwildcardNwProto();
                break;
            case 2:
                wc.UnwildcardNwProto();
                wc.UnwildcardTpDst();
                break;
            case 3:
                wc.UnwildcardNwProto();
                wc.UnwildcardTpSrc();
                wc.UnwildcardTpDst();
                wc.UnwildcardNwSrc();
                wc.UnwildcardNwDst();
                break;
        }

        return wc.ToMask();
    }

    // 64-byte Ethernet/IPv4/UDP frame.
    private static byte[] Frame(ulong src, ulong dst, ushort sport, ushort dport)
    {
        var f = new byte[64];
        WriteMac(f, dst);
        WriteMac(f.AsSpan(6), src);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        f[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 50);
        f[22] = 64;
        f[23] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(26), 0x0a000001);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(30), 0x0a000002);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), sport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), dport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(38), 30);
        return f;
    }

    private static void WriteMac(Span<byte> s, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(s[2..], (uint)mac);
    }
}
