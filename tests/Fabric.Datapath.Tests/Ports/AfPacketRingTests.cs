using System.Buffers.Binary;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Tests.Offloads;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>
/// AF_PACKET ports with PACKET_MMAP rings (<see cref="AfPacketIo.Ring"/>, <see cref="AfPacketIo.RingTx"/>) on a real
/// veth pair: receive and transmit with and without vnet headers, ring wrap-around, drops reported by
/// PACKET_STATISTICS, and adoption of a ring by a successor in the middle of a block.
/// </summary>
public sealed class AfPacketRingTests : IDisposable
{
    private const ushort EtherTypeLocalExperimental = 0x88b5;

    /// <summary>A receive ring of the default geometry, sending with sendmmsg.</summary>
    private static readonly AfPacketOptions Ring = new() { Io = AfPacketIo.Ring };

    /// <summary>The smallest receive ring: two 128 KiB blocks.</summary>
    private static readonly AfPacketOptions SmallRing = new() { Io = AfPacketIo.RingTx, RingBlockBytes = 128 * 1024, RingBlocks = 2, TxRingFrames = 32 };

    /// <summary>
    /// A ring that still wraps many times under the wrap-around test's 1.9 MB: eight 128 KiB blocks. Two would not do on
    /// a loaded machine: the test reads only between its sends, and when the sending thread stalls twice for longer than
    /// the 1 ms block timeout within one round, the kernel has retired both blocks and drops the next frame (tp_drops;
    /// seen in CI). With eight it would take eight such stalls in one 64-frame send.
    /// </summary>
    private static readonly AfPacketOptions WrapRing = new() { Io = AfPacketIo.RingTx, RingBlockBytes = 128 * 1024, RingBlocks = 8, TxRingFrames = 32 };

    private readonly (int Parent, int Child) _pair = FdPassing.SocketPair();
    private readonly uint _token = (uint)Random.Shared.Next();
    private readonly string _a;
    private readonly string _b;

    public AfPacketRingTests()
    {
        string suffix = NetNs.RandomHex(6);
        _a = "fra" + suffix;
        _b = "frb" + suffix;
        NetNs.Run("ip", "link", "add", _a, "type", "veth", "peer", "name", _b);
        foreach (string dev in new[] { _a, _b })
        {
            // No IPv6 autoconfiguration traffic between the test's own frames.
            NetNs.TryRun("sysctl", "-qw", $"net.ipv6.conf.{dev}.disable_ipv6=1");
            NetNs.Run("ip", "link", "set", dev, "up");
        }
    }

    public void Dispose()
    {
        FdPassing.Close([_pair.Parent, _pair.Child]);
        NetNs.TryRun("ip", "link", "del", _a);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ring_port_receives_and_sends_frames_in_order_with_their_vnet_headers(bool vnet)
    {
        using AfPacketPort ring = AfPacketPort.Open(_a, new AfPacketOptions { Io = AfPacketIo.RingTx, VnetHeaders = vnet });
        using AfPacketPort plain = AfPacketPort.Open(_b, new AfPacketOptions { Io = AfPacketIo.Mmsg, VnetHeaders = vnet });
        Assert.Equal((AfPacketIo.RingTx, AfPacketIo.Mmsg), (ring.Io, plain.Io));
        Assert.Equal(vnet, ring.VnetHeaders);
        WaitForCarrier(ring, plain);

        // With vnet headers, a partial checksum travels as metadata both ways (the kernel keeps it on veth).
        VirtioNetHeader header = vnet
            ? new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = 34, CsumOffset = 16 }
            : default;
        SendAndExpect(plain, ring, first: 0, count: 40, size: 300, header);
        SendAndExpect(ring, plain, first: 40, count: 40, size: 1400, header);
        Assert.Equal(40, ring.Counters.RxPackets);
        Assert.Equal(40, ring.Counters.TxPackets);
    }

    [Fact]
    public void A_64_kb_gso_super_frame_from_a_vnet_tap_arrives_whole_through_the_ring()
    {
        // A TAP device hands its super-frames to AF_PACKET whole (veth would segment a packet socket's GSO frames).
        string name = "frt" + NetNs.RandomHex(6);
        using TapPort tap = TapPort.Create(name, vnetHeaders: true);
        using AfPacketPort ring = AfPacketPort.Open(name, new AfPacketOptions { Io = AfPacketIo.Ring, VnetHeaders = true });
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(65535 - 20 - TcpFrames.TcpHeaderBytes));
        TcpFrames.MakePartial(frame, 14, 34, false);
        VirtioNetHeader header = TcpFrames.GsoHeader(false, 1448);
        using var tx = new PacketBatch(1, PacketBatch.LargeSlotSize);
        Assert.True(tx.TryAppend(frame, header));
        Assert.Equal(1, tap.Send(tx));

        using var rx = new PacketBatch(8, PacketBatch.LargeSlotSize);
        byte[] received = PortProbe.ReceiveUntil(ring, rx, f => f.Length == frame.Length, "the 64 KB super-frame");
        Assert.Equal(frame, received);
        Assert.Equal(header, rx.Vnet(rx.Count - 1));
    }

    [Fact]
    public void Ring_without_a_transmit_ring_sends_with_sendmmsg_and_receives_from_the_ring()
    {
        using AfPacketPort ring = AfPacketPort.Open(_a, Ring);
        using AfPacketPort plain = AfPacketPort.Open(_b, new AfPacketOptions { Io = AfPacketIo.Mmsg });
        Assert.Equal(AfPacketIo.Ring, ring.Io);
        WaitForCarrier(ring, plain);

        SendAndExpect(plain, ring, first: 0, count: 10, size: 64, default);
        SendAndExpect(ring, plain, first: 10, count: 10, size: 64, default);
    }

    [Fact]
    public void Both_rings_wrap_around_many_times_in_order_and_without_loss()
    {
        using AfPacketPort sender = AfPacketPort.Open(_b, WrapRing);
        using AfPacketPort receiver = AfPacketPort.Open(_a, WrapRing);
        WaitForCarrier(sender, receiver);
        receiver.TakeStatistics();

        // 30 rounds of 64 × 1000-byte frames: 1.9 MB through a 1 MiB receive ring and 1920 frames through a 32-frame
        // transmit ring (each Send fills it twice over); each round is read before the next, so none may be lost.
        var blocks = new List<int>();
        for (int round = 0; round < 30; round++)
        {
            SendAndExpect(sender, receiver, first: round * 64, count: 64, size: 1000, default);
            if (blocks.Count == 0 || blocks[^1] != receiver.CurrentRingBlock)
            {
                blocks.Add(receiver.CurrentRingBlock);
            }
        }

        // The reader went round the eight blocks at least twice (its block number fell back at least twice).
        Assert.True(blocks.Skip(1).Where((b, i) => b < blocks[i]).Count() >= 2, $"the reader went through blocks {string.Join(",", blocks)} only");
        Assert.Equal(0, receiver.TakeStatistics().Dropped);
        Assert.Equal(30 * 64, receiver.Counters.RxPackets);
        Assert.Equal(0, sender.Counters.TxDropped);
    }

    [Fact]
    public void A_full_ring_drops_and_packet_statistics_report_the_drops()
    {
        using AfPacketPort plain = AfPacketPort.Open(_b, new AfPacketOptions { Io = AfPacketIo.Mmsg });
        using AfPacketPort ring = AfPacketPort.Open(_a, SmallRing);
        WaitForCarrier(ring, plain);
        ring.TakeStatistics();

        // 384 frames of 1400 bytes: about 540 KB for a 256 KiB ring nobody reads.
        using var tx = new PacketBatch();
        int sent = 0;
        for (int i = 0; i < 384; i += tx.Capacity)
        {
            FillMarkers(tx, i, tx.Capacity, 1400, default);
            sent += plain.Send(tx);
        }

        long received = 0;
        long dropped = 0;
        PortProbe.WaitUntil(
            () =>
            {
                var (r, d) = ring.TakeStatistics();
                received += r;
                dropped += d;
                return received >= sent;
            },
            "PACKET_STATISTICS counting every frame sent");

        int kept = 0;
        using var rx = new PacketBatch();
        for (int n; (n = ring.Receive(rx)) > 0;)
        {
            for (int i = 0; i < n; i++)
            {
                kept += Marker(rx.Frame(i)) >= 0 ? 1 : 0;
            }
        }

        Assert.Equal(384, sent);
        Assert.True(dropped > 0, $"received {received}, dropped {dropped}");
        Assert.True(kept > 0 && kept < 384, $"kept {kept}");
        Assert.True(kept + dropped >= 384, $"kept {kept} + dropped {dropped} < 384");
    }

    [Fact]
    public void An_adopted_ring_resumes_at_the_first_frame_its_predecessor_did_not_take()
    {
        using AfPacketPort plain = AfPacketPort.Open(_b, new AfPacketOptions { Io = AfPacketIo.Mmsg });
        AfPacketPort original = AfPacketPort.Open(_a, Ring);
        try
        {
            WaitForCarrier(original, plain);
            using var tx = new PacketBatch();
            FillMarkers(tx, 0, 30, 200, default);
            Assert.Equal(30, plain.Send(tx));

            // The predecessor takes 8 of the 30 frames in the block it is reading, then stops.
            using var small = new PacketBatch(8);
            PortProbe.WaitUntil(() => LibC.WaitReadable(original.PollFd, 100), "the receive block handed over");
            var seen = new List<int>();
            Assert.InRange(original.Receive(small), 1, 8);
            Collect(small, seen);

            int fd = PortProbe.PassAndReceive(_pair, fd: original.PollFd);
            AfPacketPort adopted;
            try
            {
                adopted = AfPacketPort.Adopt(fd, _a, new AfPacketOptions { Io = AfPacketIo.Mmsg });
            }
            catch
            {
                FdPassing.Close([fd]);
                throw;
            }

            using (adopted)
            {
                Assert.Equal(AfPacketIo.Ring, adopted.Io);
                original.Dispose();

                // Sent between the predecessor's stop and the successor's first read.
                FillMarkers(tx, 30, 20, 200, default);
                Assert.Equal(20, plain.Send(tx));
                using var rx = new PacketBatch();
                PortProbe.ReceiveUntil(adopted, rx, f => Marker(f) == 49, "the last frame", f =>
                {
                    if (Marker(f) >= 0)
                    {
                        seen.Add(Marker(f));
                    }
                });
                Assert.Equal(Enumerable.Range(0, 50), seen);

                SendAndExpect(adopted, plain, first: 50, count: 5, size: 100, default);
            }
        }
        finally
        {
            original.Dispose();
        }
    }

    [Fact]
    public void Adopting_a_ring_with_another_geometry_names_the_ring_and_keeps_the_descriptor_with_the_caller()
    {
        using AfPacketPort original = AfPacketPort.Open(_a, Ring);
        int fd = PortProbe.PassAndReceive(_pair, fd: original.PollFd);
        try
        {
            var e = Assert.Throws<PortException>(() => AfPacketPort.Adopt(fd, _a, new AfPacketOptions { Io = AfPacketIo.Ring, RingBlocks = 8 }));
            Assert.Contains("mmap of a 8 x 131072-byte receive ring", e.Message);
            Assert.Contains(_a, e.Message);
            var e2 = Assert.Throws<PortException>(() => AfPacketPort.Open(_b, new AfPacketOptions { Io = AfPacketIo.Ring, RingBlockBytes = 4096 }));
            Assert.Contains("ring block size 4096 bytes", e2.Message);
        }
        finally
        {
            FdPassing.Close([fd]);
        }
    }

    [Fact]
    public void Ring_receive_and_send_allocate_nothing_per_call()
    {
        using AfPacketPort sender = AfPacketPort.Open(_b, new AfPacketOptions { Io = AfPacketIo.RingTx });
        using AfPacketPort receiver = AfPacketPort.Open(_a, Ring);
        WaitForCarrier(sender, receiver);
        using var tx = new PacketBatch();
        using var rx = new PacketBatch();
        FillMarkers(tx, 0, tx.Capacity, 100, default);
        SendAndExpect(sender, receiver, 0, tx.Capacity, 100, default);
        FillMarkers(tx, 0, tx.Capacity, 100, default);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sent = 0;
        int received = 0;
        for (int round = 0; round < 20; round++)
        {
            sent += sender.Send(tx);
            for (int spin = 0; spin < 100_000 && received < sent; spin++)
            {
                received += receiver.Receive(rx);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sent == 20 * tx.Capacity && received > 0, $"sent {sent}, received {received}");
        Assert.Equal(0, allocated);
    }

    private static void WaitForCarrier(AfPacketPort x, AfPacketPort y) => PortProbe.WaitUntil(() => x.CarrierUp && y.CarrierUp, "veth carrier");

    /// <summary>Sends markers first..first+count-1 of <paramref name="size"/> bytes and expects exactly them, in order and intact, on <paramref name="to"/>.</summary>
    private void SendAndExpect(AfPacketPort from, AfPacketPort to, int first, int count, int size, VirtioNetHeader header)
    {
        using var tx = new PacketBatch(count);
        FillMarkers(tx, first, count, size, header);
        Assert.Equal(count, from.Send(tx));

        var seen = new List<int>();
        using var rx = new PacketBatch(32, header == default ? PacketBatch.DefaultSlotSize : PacketBatch.LargeSlotSize);
        PortProbe.ReceiveUntil(to, rx, f => Marker(f) == first + count - 1, $"marker {first + count - 1}", f =>
        {
            int m = Marker(f);
            if (m >= 0)
            {
                seen.Add(m);
                Assert.Equal(Expected(m, size), f);
            }
        });
        Assert.Equal(Enumerable.Range(first, count), seen);
        if (to.VnetHeaders)
        {
            // ReceiveUntil returned on the last frame of the last batch: that slot's header is the frame's.
            Assert.Equal(header, rx.Vnet(rx.Count - 1));
        }
    }

    private void FillMarkers(PacketBatch batch, int first, int count, int size, VirtioNetHeader header)
    {
        batch.Clear();
        for (int i = 0; i < count; i++)
        {
            Assert.True(batch.TryAppend(Expected(first + i, size), header));
        }
    }

    private void Collect(PacketBatch batch, List<int> seen)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            seen.Add(Marker(batch.Frame(i)));
        }
    }

    /// <summary>Marker frame <paramref name="n"/>: broadcast, local experimental EtherType, token, number, then a pattern.</summary>
    private byte[] Expected(int n, int size)
    {
        var f = new byte[size];
        Frames.WriteMac(f, Frames.Broadcast);
        Frames.WriteMac(f.AsSpan(6), 0x02_fa_b0_00_00_09);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), EtherTypeLocalExperimental);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(14), _token);
        BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(18), n);
        for (int i = 22; i < size; i++)
        {
            f[i] = (byte)(n + i);
        }

        return f;
    }

    /// <summary>The marker number of a frame of this test, -1 for any other frame.</summary>
    private int Marker(ReadOnlySpan<byte> f) =>
        f.Length >= 22 && Frames.EtherType(f) == EtherTypeLocalExperimental && BinaryPrimitives.ReadUInt32BigEndian(f[14..]) == _token
            ? BinaryPrimitives.ReadInt32BigEndian(f[18..])
            : -1;
}
