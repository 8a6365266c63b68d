using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Ports.Vxlan;
using Fabric.Datapath.Tests.Support;

namespace Fabric.Datapath.Tests.Ports.Vxlan;

/// <summary>
/// The VTEP's UDP socket on the loopback interface: what tunnels put on the wire, how the endpoint demultiplexes what
/// arrives, and that every bad datagram is dropped and counted by reason.
/// </summary>
public sealed class VxlanEndpointTests : IDisposable
{
    private readonly LoopbackVteps _vteps = LoopbackVteps.Open();
    private readonly PacketBatch _batch = new();

    public void Dispose()
    {
        _vteps.Dispose();
        _batch.Dispose();
    }

    [Fact]
    public void A_tunnel_sends_one_datagram_per_frame_from_the_vxlan_port_with_the_header_in_front()
    {
        // The remote VTEP is a plain UDP socket here, so the bytes on the wire are seen as they are.
        _vteps.B.Dispose();
        using var remote = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        remote.Bind(new IPEndPoint(LoopbackVteps.AddressB, _vteps.Port));
        using VxlanTunnelPort tunnel = _vteps.A.CreateTunnel("vx1", LoopbackVteps.AddressB, 0x123456);
        byte[] f1 = Support.Frames.Udp64(Support.Frames.MacA, Support.Frames.MacB, Support.Frames.Ip(10, 0, 0, 1), Support.Frames.Ip(10, 0, 0, 2), 1, 2);
        byte[] f2 = Support.Frames.Eth(Support.Frames.Broadcast, Support.Frames.MacA, 0x0806, Support.Frames.Arp(1, Support.Frames.MacA, Support.Frames.Ip(10, 0, 0, 1), 0, Support.Frames.Ip(10, 0, 0, 2)));
        _batch.TryAppend(f1);
        _batch.TryAppend(f2);

        Assert.Equal(2, tunnel.Send(_batch));

        var buffer = new byte[4096];
        foreach (byte[] frame in new[] { f1, f2 })
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            remote.ReceiveTimeout = 10_000;
            int n = remote.ReceiveFrom(buffer, ref from);
            Assert.Equal(new IPEndPoint(LoopbackVteps.AddressA, _vteps.Port), from);
            Assert.Equal(8 + frame.Length, n);
            Assert.Equal(new byte[] { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 }, buffer[..8]);
            Assert.Equal(frame, buffer[8..n]);
        }

        Assert.Equal(2, tunnel.Counters.TxPackets);
        Assert.Equal(f1.Length + f2.Length, tunnel.Counters.TxBytes);
        Assert.Equal(0, tunnel.Counters.TxDropped);
    }

    [Fact]
    public void The_endpoint_hands_each_inner_frame_to_the_tunnel_of_its_remote_and_vni()
    {
        using VxlanTunnelPort aTo100 = _vteps.A.CreateTunnel("a100", LoopbackVteps.AddressB, 100);
        using VxlanTunnelPort aTo200 = _vteps.A.CreateTunnel("a200", LoopbackVteps.AddressB, 200);
        using VxlanTunnelPort bFrom100 = _vteps.B.CreateTunnel("b100", LoopbackVteps.AddressA, 100);
        using VxlanTunnelPort bFrom200 = _vteps.B.CreateTunnel("b200", LoopbackVteps.AddressA, 200);
        _vteps.B.Attach(bFrom100, 7);
        _vteps.B.Attach(bFrom200, 9);
        byte[] first = Frame(1);
        byte[] second = Frame(2);

        Send(aTo100, first);
        Send(aTo200, second);
        List<(string Frame, int InPort)> got = Hex(LoopbackVteps.Collect(_vteps.B, _batch, 0, 2));

        Assert.Equal([(Hex(first), 7), (Hex(second), 9)], got);
        Assert.Equal(1, bFrom100.Counters.RxPackets);
        Assert.Equal(first.Length, bFrom100.Counters.RxBytes);
        Assert.Equal(1, bFrom200.Counters.RxPackets);
        Assert.NotEqual(0, bFrom100.LastReceivedTicks);
        Assert.Equal(2, _vteps.B.Counters.RxPackets);
        Assert.Equal(16 + first.Length + second.Length, _vteps.B.Counters.RxBytes);
        Assert.Equal(0, _vteps.B.Counters.RxDropped);
    }

    [Fact]
    public void Malformed_datagrams_and_unknown_tunnels_are_dropped_and_counted_by_reason()
    {
        using VxlanTunnelPort tunnel = _vteps.B.CreateTunnel("b100", LoopbackVteps.AddressA, 100);
        _vteps.B.Attach(tunnel, 3);
        using var fromA = Raw(LoopbackVteps.AddressA);
        using var fromStranger = Raw(IPAddress.Parse("127.0.0.3"));
        byte[] good = Frame(1);

        SendRaw(fromA, [0x08, 0, 0]);                                   // shorter than the header
        SendRaw(fromA, [0x00, 0, 0, 0, 0, 0, 100, 0, .. good]);         // I flag clear
        SendRaw(fromA, [0x08, 0, 0, 0, 0, 0, 100, 0, 1, 2, 3]);         // inner frame of 3 bytes
        SendRaw(fromA, [0x08, 0, 0, 0, 0, 0, 101, 0, .. good]);         // known remote, unknown VNI
        SendRaw(fromStranger, [0x08, 0, 0, 0, 0, 0, 100, 0, .. good]);  // unknown remote
        SendRaw(fromA, [0x08, 0, 0, 0, 0, 0, 100, 0, .. new byte[3000]]); // longer than a 2048-byte slot
        SendRaw(fromA, [0x08, 0, 0, 0, 0, 0, 100, 0, .. good]);         // the one good datagram, after the bad ones
        List<(string Frame, int InPort)> got = Hex(LoopbackVteps.Collect(_vteps.B, _batch, 0, 7));

        Assert.Equal([(Hex(good), 3)], got);
        ParseDropCounters drops = _vteps.B.Drops;
        Assert.Equal(1, drops.Get(DropReason.VxlanTruncated));
        Assert.Equal(1, drops.Get(DropReason.VxlanNoVniFlag));
        Assert.Equal(1, drops.Get(DropReason.VxlanInnerTooShort));
        Assert.Equal(1, drops.Get(DropReason.VxlanUnknownVni));
        Assert.Equal(1, drops.Get(DropReason.VxlanUnknownRemote));
        Assert.Equal(1, drops.Get(DropReason.VxlanInnerTooLong));
        Assert.Equal(6, _vteps.B.Counters.RxDropped);
        Assert.Equal(1, _vteps.B.Counters.RxPackets);
        Assert.Equal(1, tunnel.Counters.RxPackets);
    }

    [Fact]
    public void A_disabled_tunnel_carries_nothing_either_way()
    {
        using VxlanTunnelPort aToB = _vteps.A.CreateTunnel("a", LoopbackVteps.AddressB, 5);
        using VxlanTunnelPort bToA = _vteps.B.CreateTunnel("b", LoopbackVteps.AddressA, 5);
        _vteps.B.Attach(bToA, 4);
        Assert.True(aToB.CarrierUp);

        aToB.Enabled = false;
        _batch.TryAppend(Frame(1));
        _batch.TryAppend(Frame(2));
        Assert.Equal(0, aToB.Send(_batch));
        Assert.Equal(2, aToB.Counters.TxDropped);
        Assert.Equal(0, aToB.Counters.TxPackets);
        Assert.False(aToB.CarrierUp);

        aToB.Enabled = true;
        bToA.Enabled = false;
        Assert.Equal(2, aToB.Send(_batch));
        Assert.Empty(LoopbackVteps.Collect(_vteps.B, _batch, 0, 2));
        Assert.Equal(2, _vteps.B.Drops.Get(DropReason.VxlanTunnelDown));
        Assert.Equal(2, bToA.Counters.RxDropped);
        Assert.Equal(0, bToA.Counters.RxPackets);

        bToA.Enabled = true;
        Send(aToB, Frame(3));
        Assert.Equal([(Hex(Frame(3)), 4)], Hex(LoopbackVteps.Collect(_vteps.B, _batch, 2, 1)));
    }

    [Fact]
    public void A_tunnel_receives_only_while_attached()
    {
        using VxlanTunnelPort aToB = _vteps.A.CreateTunnel("a", LoopbackVteps.AddressB, 5);
        using VxlanTunnelPort bToA = _vteps.B.CreateTunnel("b", LoopbackVteps.AddressA, 5);

        Send(aToB, Frame(1));
        Assert.Empty(LoopbackVteps.Collect(_vteps.B, _batch, 0, 1));
        Assert.Equal(1, _vteps.B.Drops.Get(DropReason.VxlanUnknownRemote));
        Assert.Equal(0, bToA.DatapathPort);

        _vteps.B.Attach(bToA, 12);
        _vteps.B.Attach(bToA, 12);
        Assert.Equal(12, bToA.DatapathPort);
        Send(aToB, Frame(2));
        Assert.Equal([(Hex(Frame(2)), 12)], Hex(LoopbackVteps.Collect(_vteps.B, _batch, 1, 1)));

        Assert.True(_vteps.B.Detach(bToA));
        Assert.False(_vteps.B.Detach(bToA));
        Send(aToB, Frame(3));
        Assert.Empty(LoopbackVteps.Collect(_vteps.B, _batch, 2, 1));
        Assert.Equal(2, _vteps.B.Drops.Get(DropReason.VxlanUnknownRemote));
    }

    [Fact]
    public void A_full_batch_of_datagrams_keeps_every_frame_in_order_across_drops()
    {
        using VxlanTunnelPort aToB = _vteps.A.CreateTunnel("a", LoopbackVteps.AddressB, 5);
        using VxlanTunnelPort bToA = _vteps.B.CreateTunnel("b", LoopbackVteps.AddressA, 5);
        _vteps.B.Attach(bToA, 2);
        using var fromA = Raw(LoopbackVteps.AddressA);
        var expected = new List<(string, int)>();
        for (byte i = 0; i < 40; i++)
        {
            if (i % 3 == 0)
            {
                SendRaw(fromA, [0x00, 0, 0, 0, 0, 0, 5, 0, .. Frame(i)]);
            }
            else
            {
                Send(aToB, Frame(i));
                expected.Add((Hex(Frame(i)), 2));
            }
        }

        Assert.Equal(expected, Hex(LoopbackVteps.Collect(_vteps.B, _batch, 0, 40)));
        Assert.Equal(14, _vteps.B.Drops.Get(DropReason.VxlanNoVniFlag));
    }

    [Fact]
    public void Tunnels_are_listed_until_disposed()
    {
        VxlanTunnelPort one = _vteps.A.CreateTunnel("one", LoopbackVteps.AddressB, 1);
        VxlanTunnelPort two = _vteps.A.CreateTunnel("two", LoopbackVteps.AddressB, 2);
        IReadOnlyList<VxlanTunnelPort> before = _vteps.A.Tunnels;
        _vteps.A.Attach(one, 5);

        one.Dispose();

        Assert.Equal([one, two], before);
        Assert.Equal([two], _vteps.A.Tunnels);
        Assert.Equal(0, one.DatapathPort);
        Assert.Throws<InvalidOperationException>(() => _vteps.A.Attach(one, 5));
        two.Dispose();
        Assert.Empty(_vteps.A.Tunnels);
    }

    [Fact]
    public void CreateTunnel_and_Attach_refuse_what_cannot_work()
    {
        using VxlanTunnelPort t = _vteps.A.CreateTunnel("vx1", LoopbackVteps.AddressB, 100);
        using VxlanTunnelPort other = _vteps.B.CreateTunnel("vx1", LoopbackVteps.AddressA, 100);

        Assert.Throws<InvalidOperationException>(() => _vteps.A.CreateTunnel("vx1", LoopbackVteps.AddressB, 101));
        Assert.Throws<InvalidOperationException>(() => _vteps.A.CreateTunnel("vx2", LoopbackVteps.AddressB, 100));
        Assert.Throws<ArgumentException>(() => _vteps.A.CreateTunnel("vx3", LoopbackVteps.AddressA, 100));
        Assert.Throws<ArgumentException>(() => _vteps.A.CreateTunnel("vx3", IPAddress.Parse("239.1.1.1"), 100));
        Assert.Throws<ArgumentException>(() => _vteps.A.CreateTunnel("vx3", IPAddress.IPv6Loopback, 100));
        Assert.Throws<ArgumentException>(() => _vteps.A.CreateTunnel(" ", LoopbackVteps.AddressB, 102));
        Assert.Throws<ArgumentOutOfRangeException>(() => _vteps.A.CreateTunnel("vx3", LoopbackVteps.AddressB, 0x1000000));
        Assert.Throws<ArgumentException>(() => _vteps.A.Attach(other, 3));
        Assert.Throws<ArgumentException>(() => _vteps.A.Attach(t, 0));
        _vteps.A.Attach(t, 3);
        Assert.Throws<InvalidOperationException>(() => _vteps.A.Attach(t, 4));
    }

    [Fact]
    public void Open_says_in_one_line_why_the_socket_cannot_be_had()
    {
        PortException taken = Assert.Throws<PortException>(() => VxlanEndpoint.Open(LoopbackVteps.AddressA, _vteps.Port));
        Assert.Equal($"cannot open VXLAN endpoint vxlan_sys_{_vteps.Port} on 127.0.0.1:{_vteps.Port}: bind: Address already in use", taken.Message);
        PortException foreign = Assert.Throws<PortException>(() => VxlanEndpoint.Open(IPAddress.Parse("192.0.2.1"), _vteps.Port, "vtep"));
        Assert.Equal($"cannot open VXLAN endpoint vtep on 192.0.2.1:{_vteps.Port}: bind: Cannot assign requested address", foreign.Message);
        Assert.Throws<ArgumentException>(() => VxlanEndpoint.Open(IPAddress.Any));
        Assert.Throws<ArgumentOutOfRangeException>(() => VxlanEndpoint.Open(LoopbackVteps.AddressA, 0));
    }

    [Fact]
    public void The_socket_never_sets_DF_and_sends_with_TTL_64()
    {
        using var view = new Socket(new SafeSocketHandle(_vteps.A.PollFd, ownsHandle: false));
        var value = new byte[4];
        Assert.Equal(4, view.GetRawSocketOption(InetConstants.IPPROTO_IP, InetConstants.IP_MTU_DISCOVER, value));
        Assert.Equal(InetConstants.IP_PMTUDISC_DONT, BinaryPrimitives.ReadInt32LittleEndian(value));
        Assert.Equal(4, view.GetRawSocketOption(InetConstants.IPPROTO_IP, InetConstants.IP_TTL, value));
        Assert.Equal(64, BinaryPrimitives.ReadInt32LittleEndian(value));
        if (Environment.UserName == "root")
        {
            // SO_RCVBUFFORCE passes the sysctl cap; the kernel reports the size doubled.
            Assert.True(_vteps.A.ReadReceiveBufferBytes() >= 2 * VxlanEndpoint.BufferBytes);
        }
    }

    [Fact]
    public void An_adopted_socket_keeps_its_address_and_the_datagrams_queued_on_it()
    {
        using VxlanTunnelPort aToB = _vteps.A.CreateTunnel("a", LoopbackVteps.AddressB, 5);
        Send(aToB, Frame(1));
        (int parent, int child) = FdPassing.SocketPair();
        try
        {
            Assert.Equal(2, FdPassing.Send(parent, "ep"u8, [_vteps.B.PollFd]));
            var fds = new int[FdPassing.MaxDescriptors];
            Assert.Equal(2, FdPassing.Receive(child, new byte[8], fds, out int count));
            Assert.Equal(1, count);
            using VxlanEndpoint adopted = VxlanEndpoint.Adopt(fds[0]);
            _vteps.B.Dispose();

            Assert.Equal(LoopbackVteps.AddressB, adopted.Local);
            Assert.Equal(_vteps.Port, adopted.UdpPort);
            Assert.Equal($"vxlan_sys_{_vteps.Port}", adopted.Name);
            using VxlanTunnelPort bToA = adopted.CreateTunnel("b", LoopbackVteps.AddressA, 5);
            adopted.Attach(bToA, 6);
            Assert.Equal([(Hex(Frame(1)), 6)], Hex(LoopbackVteps.Collect(adopted, _batch, 0, 1)));
        }
        finally
        {
            FdPassing.Close([parent, child]);
        }
    }

    [Fact]
    public void Adopt_refuses_a_socket_that_is_not_a_bound_udp_socket()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(LoopbackVteps.AddressA, 0));
        int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
        int fd = (int)tcp.Handle;

        PortException e = Assert.Throws<PortException>(() => VxlanEndpoint.Adopt(fd));
        Assert.Equal($"cannot adopt descriptor {fd} as a VXLAN endpoint: the socket is of type 1, not SOCK_DGRAM", e.Message);
        using var unbound = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        e = Assert.Throws<PortException>(() => VxlanEndpoint.Adopt((int)unbound.Handle));
        Assert.EndsWith("the socket is bound to 0.0.0.0:0, not to one address and port", e.Message);
        Assert.NotEqual(0, port);
    }

    private static string Hex(byte[] frame) => Convert.ToHexString(frame);

    private static List<(string Frame, int InPort)> Hex(List<(byte[] Frame, int InPort)> frames) =>
        frames.ConvertAll(f => (Hex(f.Frame), f.InPort));

    /// <summary>A 64-byte UDP frame whose source port carries <paramref name="tag"/>.</summary>
    private static byte[] Frame(byte tag) => Support.Frames.Udp64(Support.Frames.MacA, Support.Frames.MacB, Support.Frames.Ip(10, 0, 0, 1), Support.Frames.Ip(10, 0, 0, 2), tag, 7);

    private void Send(VxlanTunnelPort tunnel, byte[] frame)
    {
        _batch.Clear();
        _batch.TryAppend(frame);
        Assert.Equal(1, tunnel.Send(_batch));
        _batch.Clear();
    }

    /// <summary>A plain UDP socket bound to <paramref name="from"/> (any port), for handmade datagrams.</summary>
    private static Socket Raw(IPAddress from)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(from, 0));
        return s;
    }

    private void SendRaw(Socket socket, byte[] datagram) =>
        Assert.Equal(datagram.Length, socket.SendTo(datagram, new IPEndPoint(LoopbackVteps.AddressB, _vteps.Port)));
}
