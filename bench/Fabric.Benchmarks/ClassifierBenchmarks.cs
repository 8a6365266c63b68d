using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports;

namespace Fabric.Benchmarks;

/// <summary>
/// Scale of the megaflow classifier (issue 10 item 4): per-packet cost of the fast path with the EMC off when
/// <see cref="Flows"/> = 100,000 megaflows are spread evenly over <see cref="Masks"/> masks. The traffic is
/// <see cref="Packets"/> 64-byte IPv4 frames (half UDP, half TCP, random addresses and ports), each hitting a
/// different megaflow, processed in batches of 32 (parse → classifier → stats → actions into transmit batches,
/// not sent). Each operation is one packet: packets/s per core = 1e9 / (ns per op). Allocated bytes must be 0.
/// </summary>
/// <remarks>
/// The masks are NORMAL-style L2 matches (in_port, dl_src, dl_dst, dl_type, vlan_tci, nw_frag) plus a different
/// combination of nw_proto, nw_src/nw_dst prefixes and L4 ports each, as ACLs of varied shape produce. Every
/// megaflow has its own dl_src, so megaflows never overlap and each packet matches exactly one.
/// <see cref="Traffic"/> <c>Uniform</c>: each packet's megaflow is drawn uniformly from all 100,000, so the hits
/// are spread evenly over the masks and ranking cannot help (on average (masks + 1) / 2 subtables probed: the
/// honest worst case). <c>Skewed</c>: the mask is drawn with weight 1 / (rank + 1) (Zipf, s = 1), then a
/// megaflow uniformly within it, and the table is re-ranked after warm-up, as a poll thread does every second.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ClassifierBenchmarks
{
    /// <summary>Megaflows installed.</summary>
    public const int Flows = 100_000;

    /// <summary>Packets per operation set (one invocation), each from a different megaflow.</summary>
    public const int Packets = 4096;

    private const int Batch = 32;

    private readonly Dictionary<ushort, IDatapathPort> _ports = new();
    private PacketBatch[] _rx = [];
    private FastPath _path = null!;
    private OutputBatches _outputs = null!;
    private MegaflowTable _table = null!;
    private FlowKey[] _keys = [];

    /// <summary>Distinct masks (subtables) the megaflows are spread over.</summary>
    [Params(1, 8, 32, 128)]
    public int Masks { get; set; } = 32;

    /// <summary>How the packets' megaflows are distributed over the masks.</summary>
    [Params(ClassifierTraffic.Uniform, ClassifierTraffic.Skewed)]
    public ClassifierTraffic Traffic { get; set; } = ClassifierTraffic.Uniform;

    /// <summary>Installs the megaflows, builds the frames and checks that every packet hits.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0x0fab);
        for (ushort p = 1; p <= 2; p++)
        {
            _ports[p] = new MemoryPort($"p{p}");
        }

        _outputs = new OutputBatches(batchCapacity: 256, slotSize: PacketBatch.DefaultSlotSize);
        _outputs.SetPorts(_ports);
        _table = new MegaflowTable(flowLimit: Flows);
        FlowMask[] masks = BuildMasks(Masks);

        // Flow f: mask f % Masks, its own dl_src; random L3/L4 fields.
        var frames = new byte[Flows][];
        for (int f = 0; f < Flows; f++)
        {
            bool tcp = (f & 1) != 0;
            frames[f] = Frame(
                0x0200_0000_0000UL | (uint)f,
                0x0400_0000_0000UL | (uint)rng.Next(1 << 20),
                (uint)rng.Next(),
                (uint)rng.Next(),
                (ushort)rng.Next(1024, 65536),
                (ushort)rng.Next(1, 1024),
                tcp);
            PacketParser.Parse(frames[f], 1, out FlowKey key, out _);
            _table.Install(key, masks[f % Masks], DatapathActions.OutputTo(2));
        }

        // Which megaflow each packet belongs to.
        var cumulative = new double[Masks];
        double sum = 0;
        for (int m = 0; m < Masks; m++)
        {
            sum += Traffic == ClassifierTraffic.Skewed ? 1.0 / (m + 1) : 1.0;
            cumulative[m] = sum;
        }

        int perMask = Flows / Masks;
        _rx = new PacketBatch[Packets / Batch];
        _keys = new FlowKey[Packets];
        for (int b = 0; b < _rx.Length; b++)
        {
            _rx[b] = new PacketBatch(Batch, PacketBatch.DefaultSlotSize);
            for (int i = 0; i < Batch; i++)
            {
                double u = rng.NextDouble() * sum;
                int m = Array.BinarySearch(cumulative, u);
                m = m < 0 ? ~m : m;
                int flow = (rng.Next(perMask) * Masks) + Math.Min(m, Masks - 1);
                _rx[b].TryAppend(frames[flow]);
                PacketParser.Parse(frames[flow], 1, out _keys[(b * Batch) + i], out _);
            }
        }

        var stats = new DatapathStats();
        var upcalls = new UpcallQueue(1024);
        _path = new FastPath(_table, stats, upcalls, new ExactMatchCache(insertInvProb: 0), _outputs);
        ProcessAll();
        _table.Rerank();
        ProcessAll();
        if (stats.Missed != 0 || upcalls.Count != 0 || _table.MaskCount != Masks || _table.Count != Flows)
        {
            throw new InvalidOperationException($"benchmark flows do not cover the packets: {stats.Missed} missed, {_table.MaskCount} masks");
        }
    }

    /// <summary>Frees the batches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _outputs.Dispose();
        foreach (PacketBatch b in _rx)
        {
            b.Dispose();
        }
    }

    /// <summary>The whole fast path, EMC off: parse, megaflow lookup, stats, actions.</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public void MegaflowHit() => ProcessAll();

    /// <summary>The classifier alone on the already parsed keys.</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int Lookup()
    {
        int found = 0;
        FlowKey[] keys = _keys;
        for (int i = 0; i < keys.Length; i++)
        {
            if (_table.Lookup(keys[i]) is not null)
            {
                found++;
            }
        }

        return found;
    }

    private void ProcessAll()
    {
        foreach (PacketBatch b in _rx)
        {
            _path.Process(b, 1, 1);
            _outputs.Clear();
        }
    }

    // Mask i: the L2 fields NORMAL matches plus the i-th combination of nw_proto, an nw_dst prefix (/8 to /32),
    // an nw_src prefix (none, /16, /24, /32) and, past the first 100, both L4 ports.
    private static FlowMask[] BuildMasks(int count)
    {
        var masks = new FlowMask[count];
        for (int i = 0; i < count; i++)
        {
            FlowWildcards wc = FlowWildcards.From(FastPathBenchmarks.L2Mask());
            if (i == 0)
            {
                masks[i] = wc.ToMask();
                continue;
            }

            wc.UnwildcardNwProto();
            int c = i - 1;
            wc.UnwildcardIpv4Dst(Prefix(8 + (c % 25)));
            int srcPrefix = (c / 25 % 4) switch { 0 => 0, 1 => 16, 2 => 24, _ => 32 };
            if (srcPrefix != 0)
            {
                wc.UnwildcardIpv4Src(Prefix(srcPrefix));
            }

            if (c >= 100)
            {
                wc.UnwildcardTpSrc();
                wc.UnwildcardTpDst();
            }

            masks[i] = wc.ToMask();
        }

        return masks;
    }

    private static uint Prefix(int bits) => bits == 0 ? 0 : uint.MaxValue << (32 - bits);

    // 64-byte Ethernet/IPv4/UDP or TCP frame.
    private static byte[] Frame(ulong src, ulong dst, uint nwSrc, uint nwDst, ushort sport, ushort dport, bool tcp)
    {
        var f = new byte[64];
        BinaryPrimitives.WriteUInt16BigEndian(f, (ushort)(dst >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(2), (uint)dst);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(6), (ushort)(src >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(8), (uint)src);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        f[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 50);
        f[22] = 64;
        f[23] = tcp ? (byte)6 : (byte)17;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(26), nwSrc);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(30), nwDst);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), sport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), dport);
        if (tcp)
        {
            f[46] = 0x50;
            f[47] = 0x10;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(38), 30);
        }

        return f;
    }
}
