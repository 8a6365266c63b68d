using System.Net;
using BenchmarkDotNet.Attributes;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Benchmarks;

/// <summary>
/// Per-packet cost of VXLAN encapsulation and decapsulation (RFC 7348) on batches of 32 64-byte frames: the header
/// parse and (remote, VNI) demultiplexing alone, and a whole round trip through the kernel over loopback — a tunnel's
/// sendmmsg (VXLAN header by gather I/O) and the endpoint's recvmmsg (header scattered apart, frame into its slot,
/// demultiplexed to the tunnel's port). Each operation is one packet; allocated bytes must be 0.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class VxlanBenchmarks
{
    private const int Batch = 32;

    private readonly byte[] _header = new byte[VxlanHeader.Size];
    private VxlanEndpoint _sender = null!;
    private VxlanEndpoint _receiver = null!;
    private VxlanTunnelPort _tunnel = null!;
    private VxlanTunnelPort _back = null!;
    private PacketBatch _tx = null!;
    private PacketBatch _rx = null!;
    private VxlanDemuxMap _demux = null!;
    private uint _remote;

    /// <summary>Opens two endpoints on 127.0.0.1 and 127.0.0.2 (a free port), a tunnel each way, and the frames.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int port = 40_000 + Random.Shared.Next(20_000);
        _sender = VxlanEndpoint.Open(IPAddress.Parse("127.0.0.1"), port);
        _receiver = VxlanEndpoint.Open(IPAddress.Parse("127.0.0.2"), port);
        _tunnel = _sender.CreateTunnel("vx-out", _receiver.Local, 100);
        _back = _receiver.CreateTunnel("vx-in", _sender.Local, 100);
        _receiver.Attach(_back, 7);
        _tx = new PacketBatch(Batch);
        _rx = new PacketBatch(Batch);
        var frame = new byte[64];
        frame[12] = 0x08;
        for (int i = 0; i < Batch; i++)
        {
            frame[0] = (byte)i;
            _tx.TryAppend(frame);
        }

        VxlanHeader.Write(_header, 100);
        _remote = _sender.LocalAddress;
        _demux = VxlanDemuxMap.Empty.With(_receiver.CreateTunnel("vx-other", IPAddress.Parse("127.0.0.3"), 5), 8).With(_back, 7);
        RoundTrip();
        if (_back.Counters.RxPackets != Batch || _receiver.Counters.RxDropped != 0)
        {
            throw new InvalidOperationException("the loopback round trip lost datagrams");
        }
    }

    /// <summary>Closes the sockets and frees the batches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _tx.Dispose();
        _rx.Dispose();
    }

    /// <summary>Header parse and (remote, VNI) lookup per datagram, as the endpoint's receive loop does them.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int ParseAndDemultiplex()
    {
        int found = 0;
        for (int i = 0; i < Batch; i++)
        {
            if (VxlanHeader.Parse(_header, 72, out uint vni) == DropReason.None
                && _demux.Find(_remote, vni, out _, out ushort port) == DropReason.None)
            {
                found += port;
            }
        }

        return found;
    }

    /// <summary>32 frames encapsulated and sent by the tunnel (one sendmmsg), received and decapsulated by the far endpoint (recvmmsg).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EncapsulateSendReceiveDecapsulate() => RoundTrip();

    private int RoundTrip()
    {
        int sent = _tunnel.Send(_tx);
        int received = 0;
        while (received < sent)
        {
            int n = _receiver.Receive(_rx);
            if (n == 0 && !LibC.WaitReadable(_receiver.PollFd, 1000))
            {
                break;
            }

            received += n;
        }

        return received;
    }
}
