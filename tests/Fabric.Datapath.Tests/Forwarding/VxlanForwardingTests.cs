using System.Diagnostics;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Ports.Vxlan;
using Fabric.Datapath.Tests.Ports;
using Fabric.Datapath.Tests.Ports.Vxlan;
using Fabric.Datapath.Tests.Support;
using static Fabric.Datapath.Tests.Support.Frames;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Datapath.Tests.Forwarding;

/// <summary>
/// Two datapaths joined by a VXLAN tunnel over loopback: frames output to a tunnel port leave as datagrams, and the
/// frames the far endpoint demultiplexes enter its datapath with the tunnel's port as in_port (per frame, not per
/// batch). Poll threads never receive on the tunnel ports themselves.
/// </summary>
public sealed class VxlanForwardingTests : IDisposable
{
    private const uint Vni = 100;

    private readonly ManualTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly LoopbackVteps _vteps = LoopbackVteps.Open();
    private readonly MemoryPort _p1 = new("p1");
    private readonly MemoryPort _q1 = new("q1");
    private readonly Dp _left;
    private readonly Dp _right;
    private readonly VxlanTunnelPort _leftTunnel;
    private readonly VxlanTunnelPort _rightTunnel;
    private readonly ushort _leftTunnelNo;
    private readonly ushort _rightTunnelNo;

    public VxlanForwardingTests()
    {
        _left = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, _time);
        _right = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, _time);
        _left.AddPort(_p1);
        _left.AddPort(_vteps.A);
        _leftTunnel = _vteps.A.CreateTunnel("vx-right", LoopbackVteps.AddressB, Vni);
        _leftTunnelNo = _left.AddPort(_leftTunnel);
        _vteps.A.Attach(_leftTunnel, _leftTunnelNo);

        _right.AddPort(_q1);
        _right.AddPort(_vteps.B);
        _rightTunnel = _vteps.B.CreateTunnel("vx-left", LoopbackVteps.AddressA, Vni);
        _rightTunnelNo = _right.AddPort(_rightTunnel, 9);
        _vteps.B.Attach(_rightTunnel, _rightTunnelNo);
    }

    public void Dispose()
    {
        _left.Dispose();
        _right.Dispose();
        _vteps.Dispose();
        _p1.Dispose();
        _q1.Dispose();
    }

    [Fact]
    public void A_frame_output_to_a_tunnel_comes_out_of_the_far_datapath_from_that_tunnels_port()
    {
        byte[] frame = Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), 1000, 2000);
        _left.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(_leftTunnelNo));
        Megaflow fromTunnel = _right.Flows.Install(FlowKey.Create(_rightTunnelNo, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(1));
        _p1.Inject(frame);

        Assert.Equal(1, _left.RunOnce());
        RunUntil(_right, () => _q1.SentCount == 1);

        Assert.True(_q1.TryTakeSent(out byte[] received));
        Assert.Equal(frame, received);
        Assert.Equal(1, fromTunnel.Packets);
        Assert.Equal(1, _leftTunnel.Counters.TxPackets);
        Assert.Equal(1, _rightTunnel.Counters.RxPackets);
    }

    [Fact]
    public void A_missed_frame_from_a_tunnel_is_an_upcall_with_the_tunnels_port_as_in_port()
    {
        _left.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(_leftTunnelNo));
        _p1.Inject(Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), 1000, 2000));
        _left.RunOnce();

        RunUntil(_right, () => _right.Upcalls.Count == 1);

        Assert.True(_right.Upcalls.TryDequeue(out Upcall up));
        Assert.Equal(_rightTunnelNo, up.InPort);
        Assert.Equal(_rightTunnelNo, up.Key.InPort);
    }

    [Fact]
    public void Frames_of_one_batch_keep_the_in_port_of_their_own_tunnel()
    {
        // A second tunnel into the right datapath: same remote VTEP, another VNI.
        using VxlanTunnelPort leftSecond = _vteps.A.CreateTunnel("vx-right-2", LoopbackVteps.AddressB, Vni + 1);
        ushort leftSecondNo = _left.AddPort(leftSecond);
        using VxlanTunnelPort rightSecond = _vteps.B.CreateTunnel("vx-left-2", LoopbackVteps.AddressA, Vni + 1);
        ushort rightSecondNo = _right.AddPort(rightSecond);
        _vteps.B.Attach(rightSecond, rightSecondNo);
        _left.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(_leftTunnelNo, leftSecondNo));
        Megaflow viaFirst = _right.Flows.Install(FlowKey.Create(_rightTunnelNo, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(1));
        Megaflow viaSecond = _right.Flows.Install(FlowKey.Create(rightSecondNo, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.Drop);
        for (int i = 0; i < 5; i++)
        {
            _p1.Inject(Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), (ushort)(1000 + i), 2000));
        }

        _left.RunOnce();
        RunUntil(_right, () => viaFirst.Packets + viaSecond.Packets == 10);

        Assert.Equal(5, viaFirst.Packets);
        Assert.Equal(5, viaSecond.Packets);
        Assert.Equal(5, _q1.SentCount);
        Assert.Equal(0, _right.Upcalls.Count);
    }

    [Fact]
    public void A_demultiplexing_ports_batch_is_forwarded_with_each_frames_own_in_port_in_any_order()
    {
        using var dp = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, _time);
        using var out1 = new MemoryPort("out1");
        using var out2 = new MemoryPort("out2");
        var demux = new FakePort(PortReceiveMode.PerFrame);
        dp.AddPort(out1, 1);
        dp.AddPort(out2, 2);
        dp.AddPort(demux, 3);
        Megaflow from5 = dp.Flows.Install(FlowKey.Create(5, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(1));
        Megaflow from6 = dp.Flows.Install(FlowKey.Create(6, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(2));
        foreach (int inPort in new[] { 5, 6, 6, 5, 5, 5, 6, 7 })
        {
            demux.Queue.Enqueue((Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), (ushort)inPort, 9), inPort));
        }

        Assert.Equal(8, dp.RunOnce());

        Assert.Equal(4, from5.Packets);
        Assert.Equal(3, from6.Packets);
        Assert.Equal(4, out1.SentCount);
        Assert.Equal(3, out2.SentCount);
        Assert.Equal(7, dp.Stats.Hits);
        Assert.Equal(1, dp.Stats.Missed);
        Assert.True(dp.Upcalls.TryDequeue(out Upcall up));
        Assert.Equal(7, up.InPort);
    }

    [Fact]
    public void Poll_threads_never_receive_on_ports_that_do_not_receive()
    {
        var silent = new FakePort(PortReceiveMode.None);
        _left.AddPort(silent);

        _left.RunOnce();
        _left.RunOnce();

        Assert.Equal(0, silent.ReceiveCalls);
    }

    [Fact]
    public void Ports_that_do_not_receive_do_not_load_a_poll_thread()
    {
        using var dp = new Dp(new DatapathOptions { PollThreads = 2 }, _time);
        using var a = new MemoryPort("a");
        using var b = new MemoryPort("b");
        ushort first = dp.AddPort(a);
        ushort tunnel = dp.AddPort(new FakePort(PortReceiveMode.None));
        ushort second = dp.AddPort(b);

        PortSet set = dp.PortSnapshot;
        Assert.Equal(0, set.ThreadOf(first));
        Assert.Equal(1, set.ThreadOf(tunnel));
        Assert.Equal(1, set.ThreadOf(second));
    }

    [Fact]
    public void Running_poll_threads_forward_through_the_tunnel_and_count_it()
    {
        _left.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(_leftTunnelNo));
        _right.Flows.Install(FlowKey.Create(_rightTunnelNo, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(1));
        _left.Start();
        _right.Start();
        for (int i = 0; i < 20; i++)
        {
            _p1.Inject(Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), (ushort)(1000 + i), 2000));
        }

        Assert.True(SpinWait.SpinUntil(() => _q1.SentCount == 20, PortProbe.DefaultTimeout));

        Assert.Equal(20, _leftTunnel.Counters.TxPackets);
        Assert.Equal(20, _rightTunnel.Counters.RxPackets);
        Assert.Equal(20 * 64, _rightTunnel.Counters.RxBytes);
    }

    /// <summary>Runs <paramref name="dp"/>'s loop on this thread, waiting on the endpoint's socket between rounds, until <paramref name="done"/>.</summary>
    private void RunUntil(Dp dp, Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < PortProbe.DefaultTimeout, "the datagrams did not arrive");
            if (dp.RunOnce() == 0)
            {
                LibC.WaitReadable(_vteps.B.PollFd, 100);
            }
        }
    }

    /// <summary>
    /// A port that either sets each frame's in_port itself, like the VXLAN endpoint (<see cref="PortReceiveMode.PerFrame"/>),
    /// or never receives, like a VXLAN tunnel (<see cref="PortReceiveMode.None"/>); it counts the Receive calls it gets.
    /// </summary>
    private sealed class FakePort(PortReceiveMode mode) : IDatapathPort
    {
        public Queue<(byte[] Frame, int InPort)> Queue { get; } = new();

        public int ReceiveCalls { get; private set; }

        public string Name => mode.ToString();

        public PortKind Kind => PortKind.Memory;

        public int PollFd => -1;

        public bool CarrierUp => true;

        public ulong MacAddress => 0;

        public PortCounters Counters { get; } = new();

        public PortReceiveMode ReceiveMode => mode;

        public int Receive(PacketBatch batch)
        {
            ReceiveCalls++;
            batch.Clear();
            while (!batch.IsFull && Queue.TryDequeue(out (byte[] Frame, int InPort) next))
            {
                batch.SetInPort(batch.Count, next.InPort);
                batch.TryAppend(next.Frame);
            }

            return batch.Count;
        }

        public int Send(PacketBatch batch) => 0;

        public void Dispose()
        {
        }
    }
}
