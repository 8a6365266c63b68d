using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports;

namespace Fabric.Benchmarks;

/// <summary>
/// Aggregate forwarding of two independent streams of 64-byte UDP/IPv4 frames through real poll threads, in memory:
/// stream A is received on port 1 and sent to port 2, stream B on port 3 to port 4 (ports 2 and 4 never receive, so
/// ports 1 and 3 go to different threads when there are two). Each operation is one packet of either stream, so
/// aggregate packets/s = 1e9 / (ns per op); with two poll threads on two free cores it should be about half the time of
/// one. <see cref="TwoStreamsOneMegaflow"/> sends both streams through one megaflow (statistics written by both threads).
/// </summary>
/// <remarks>
/// Each operation arms both receiving ports with <see cref="Batches"/> batches of 32 frames and waits until both poll
/// threads have forwarded them; the benchmark thread blocks meanwhile. Compare 1 and 2 poll threads only on an otherwise
/// idle machine with at least two cores.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PollThreadScalingBenchmarks
{
    private const int BatchSize = 32;
    private const int Batches = 2048;
    private const int PacketsPerStream = BatchSize * Batches;

    private Datapath.Forwarding.Datapath _independent = null!;
    private Datapath.Forwarding.Datapath _shared = null!;
    private ReplayPort[] _independentRx = null!;
    private ReplayPort[] _sharedRx = null!;
    private readonly List<IDatapathPort> _ports = [];

    /// <summary>Number of poll threads.</summary>
    [Params(1, 2)]
    public int PollThreads { get; set; } = 1;

    /// <summary>Builds both datapaths and starts their poll threads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_independent, _independentRx) = Build(sharedFlow: false);
        (_shared, _sharedRx) = Build(sharedFlow: true);
    }

    /// <summary>Stops the poll threads and frees the ports.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _independent.Dispose();
        _shared.Dispose();
        foreach (IDatapathPort p in _ports)
        {
            p.Dispose();
        }
    }

    /// <summary>Two streams, each through its own 16 megaflows (hit in the EMC) to its own output port.</summary>
    [Benchmark(OperationsPerInvoke = 2 * PacketsPerStream, Baseline = true)]
    public void TwoStreams() => Run(_independentRx);

    /// <summary>Both streams through one megaflow (matching only the Ethernet type) to port 2: its statistics are hit by both threads.</summary>
    [Benchmark(OperationsPerInvoke = 2 * PacketsPerStream)]
    public void TwoStreamsOneMegaflow() => Run(_sharedRx);

    private static void Run(ReplayPort[] rx)
    {
        foreach (ReplayPort p in rx)
        {
            p.Arm(Batches);
        }

        foreach (ReplayPort p in rx)
        {
            p.Done.Wait();
        }
    }

    private (Datapath.Forwarding.Datapath Datapath, ReplayPort[] Rx) Build(bool sharedFlow)
    {
        var dp = new Datapath.Forwarding.Datapath(new DatapathOptions { PollThreads = PollThreads, EmcInsertInvProb = 1 }, TimeProvider.System);
        var a = new ReplayPort("a", Stream(0));
        var b = new ReplayPort("b", Stream(1));
        var sinkA = new SinkPort("a-out");
        var sinkB = new SinkPort("b-out");
        _ports.AddRange([a, sinkA, b, sinkB]);
        dp.AddPort(a, 1);
        dp.AddPort(sinkA, 2);
        dp.AddPort(b, 3);
        dp.AddPort(sinkB, 4);
        if (sharedFlow)
        {
            var wc = default(FlowWildcards);
            wc.UnwildcardDlType();
            dp.Flows.Install(KeyOf(Stream(0)[0], 1), wc.ToMask(), DatapathActions.OutputTo(2));
        }
        else
        {
            var wc = default(FlowWildcards);
            wc.UnwildcardInPort();
            wc.UnwildcardDlSrc();
            wc.UnwildcardDlDst();
            wc.UnwildcardDlType();
            FlowMask l2 = wc.ToMask();
            foreach ((byte[][] frames, ushort inPort, ushort outPort) in new[] { (Stream(0), (ushort)1, (ushort)2), (Stream(1), (ushort)3, (ushort)4) })
            {
                foreach (byte[] f in frames)
                {
                    dp.Flows.Install(KeyOf(f, inPort), l2, DatapathActions.OutputTo(outPort));
                }
            }
        }

        dp.Start();
        return (dp, [a, b]);
    }

    private static FlowKey KeyOf(byte[] frame, ushort inPort)
    {
        PacketParser.Parse(frame, inPort, out FlowKey key, out _);
        return key;
    }

    // 32 frames of 16 flows (by MAC pair); stream 1's MACs differ from stream 0's.
    private static byte[][] Stream(int stream)
    {
        var frames = new byte[BatchSize][];
        for (int i = 0; i < frames.Length; i++)
        {
            int flow = i % 16;
            var f = new byte[64];
            WriteMac(f, 0x525400000000UL | ((ulong)(uint)stream << 16) | (uint)(0x200 + flow));
            WriteMac(f.AsSpan(6), 0x525400000000UL | ((ulong)(uint)stream << 16) | (uint)(0x100 + flow));
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
            f[14] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 50);
            f[22] = 64;
            f[23] = 17;
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(26), 0x0a000001u + (uint)stream);
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(30), 0x0a000101u + (uint)stream);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), (ushort)(10_000 + flow));
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), 53);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(38), 30);
            frames[i] = f;
        }

        return frames;
    }

    private static void WriteMac(Span<byte> s, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(s[2..], (uint)mac);
    }
}
