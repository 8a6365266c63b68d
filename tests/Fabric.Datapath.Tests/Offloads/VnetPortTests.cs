using System.Diagnostics;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Tests.Ports;

namespace Fabric.Datapath.Tests.Offloads;

/// <summary>
/// Real kernel: AF_PACKET sockets with PACKET_VNET_HDR and TAP devices with IFF_VNET_HDR exchange a 64 KB TSO super-frame
/// and its virtio-net header, with the interfaces' offloads left as the kernel sets them; adoption reads the setting.
/// </summary>
public sealed class VnetPortTests : IDisposable
{
    private readonly (int Parent, int Child) _pair = FdPassing.SocketPair();

    public void Dispose() => FdPassing.Close([_pair.Parent, _pair.Child]);

    [Fact]
    public void A_tso_super_frame_sent_on_a_vnet_socket_reaches_the_veth_peer_in_checksummed_segments()
    {
        WithVethPair((a, b) =>
        {
            using AfPacketPort pa = AfPacketPort.Open(a, new AfPacketOptions { VnetHeaders = true });
            using AfPacketPort pb = AfPacketPort.Open(b, new AfPacketOptions { VnetHeaders = true });
            Assert.True(pa.VnetHeaders);
            PortProbe.WaitUntil(() => pa.CarrierUp && pb.CarrierUp, "veth carrier");

            SendAndExpect(pa, pb, whole: false);
        });
    }

    [Fact]
    public void A_tso_super_frame_written_to_a_vnet_tap_arrives_whole_and_one_sent_towards_it_is_read_complete()
    {
        string name = "vnt" + NetNs.RandomHex(6);
        using TapPort tap = TapPort.Create(name, vnetHeaders: true);
        Assert.True(tap.VnetHeaders);
        using AfPacketPort wire = AfPacketPort.Open(name, new AfPacketOptions { VnetHeaders = true });

        SendAndExpect(tap, wire, whole: true);
        SendAndExpect(wire, tap, whole: false);
    }

    [Fact]
    public void Adopted_sockets_and_devices_keep_their_vnet_header_setting()
    {
        WithVethPair((a, b) =>
        {
            string suffix = NetNs.RandomHex(6);
            using AfPacketPort with = AfPacketPort.Open(a, new AfPacketOptions { VnetHeaders = true });
            using AfPacketPort without = AfPacketPort.Open(b);
            using TapPort tap = TapPort.Create("vnt" + suffix, vnetHeaders: true);
            using TapPort plainTap = TapPort.Create("vnp" + suffix);

            using AfPacketPort adoptedWith = AfPacketPort.Adopt(PassAndReceive(with.PollFd), a);
            using AfPacketPort adoptedWithout = AfPacketPort.Adopt(PassAndReceive(without.PollFd), b, new AfPacketOptions { VnetHeaders = true });
            using TapPort adoptedTap = TapPort.Adopt(PassAndReceive(tap.PollFd), tap.Name);
            using TapPort adoptedPlainTap = TapPort.Adopt(PassAndReceive(plainTap.PollFd), plainTap.Name);

            Assert.Equal((true, false, true, false), (adoptedWith.VnetHeaders, adoptedWithout.VnetHeaders, adoptedTap.VnetHeaders, adoptedPlainTap.VnetHeaders));
        });
    }

    /// <summary>
    /// Sends a 64 KB TCP/IPv4 super-frame with a TSO header and a partial checksum from <paramref name="from"/>;
    /// <paramref name="to"/> must get its payload complete and correctly checksummed: as the one super-frame with the
    /// same header (<paramref name="whole"/>), or in segments the kernel cut on transmit (a packet socket's GSO frames
    /// are marked SKB_GSO_DODGY, which veth and tun do not take whole).
    /// </summary>
    private static void SendAndExpect(IDatapathPort from, IDatapathPort to, bool whole)
    {
        uint seq0 = (uint)Random.Shared.Next();
        byte[] payload = TcpFrames.Pattern(65535 - 20 - TcpFrames.TcpHeaderBytes);
        byte[] frame = TcpFrames.Build(false, payload, seq: seq0);
        TcpFrames.MakePartial(frame, 14, 34, false);
        VirtioNetHeader header = TcpFrames.GsoHeader(false, 1448);
        using var tx = new PacketBatch(1, PacketBatch.LargeSlotSize);
        Assert.True(tx.TryAppend(frame, header));
        Assert.Equal(1, from.Send(tx));

        const int headers = 14 + 20 + TcpFrames.TcpHeaderBytes;
        byte[] received = new byte[payload.Length];
        int got = 0;
        using var rx = new PacketBatch(64, PacketBatch.LargeSlotSize);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < PortProbe.DefaultTimeout && got < payload.Length)
        {
            int n = to.Receive(rx);
            for (int i = 0; i < n; i++)
            {
                byte[] f = rx.Frame(i).ToArray();
                // Only this test's flow: same MACs and EtherType, IP addresses and TCP ports.
                if (f.Length <= headers || !f.AsSpan(0, 14).SequenceEqual(frame.AsSpan(0, 14)) || !f.AsSpan(26, 12).SequenceEqual(frame.AsSpan(26, 12)))
                {
                    continue;
                }

                if (whole)
                {
                    Assert.Equal(frame, f);
                    Assert.Equal(header, rx.Vnet(i));
                    return;
                }

                VirtioNetHeader h = rx.Vnet(i);
                Assert.Equal(VirtioGsoType.None, h.GsoType);
                Assert.True(PartialChecksum.Complete(f, h));
                Assert.Equal(TcpFrames.TcpChecksum(f, 14, 34, false), System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(34 + 16)));
                int offset = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(f.AsSpan(34 + 4)) - seq0);
                f.AsSpan(headers).CopyTo(received.AsSpan(offset));
                got += f.Length - headers;
            }

            if (n == 0)
            {
                LibC.WaitReadable(to.PollFd, 100);
            }
        }

        Assert.False(whole, $"{to.Name}: the {frame.Length}-byte super-frame sent on {from.Name} did not arrive whole");
        Assert.Equal(payload.Length, got);
        Assert.Equal(payload, received);
    }

    private int PassAndReceive(int fd) => PortProbe.PassAndReceive(_pair, fd);

    /// <summary>Runs <paramref name="test"/> on a new veth pair (both ends up, offloads as the kernel sets them), deleted afterwards.</summary>
    private static void WithVethPair(Action<string, string> test)
    {
        string suffix = NetNs.RandomHex(6);
        string a = "vna" + suffix;
        string b = "vnb" + suffix;
        NetNs.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        try
        {
            NetNs.Run("ip", "link", "set", a, "up");
            NetNs.Run("ip", "link", "set", b, "up");
            test(a, b);
        }
        finally
        {
            NetNs.TryRun("ip", "link", "del", a);
        }
    }
}
