using System.Buffers.Binary;
using System.Net;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>AF_PACKET port against real veth pairs, with the far end in a fresh network namespace.</summary>
public sealed class AfPacketPortTests : IDisposable
{
    private const ulong FakeMac = 0x02_fa_b0_00_00_02;

    private readonly NetNs _ns = NetNs.Create();
    private readonly string _host;
    private readonly string _peer;
    private readonly string _subnet = NetNs.RandomSubnet();
    private readonly IPAddress _nsIp;
    private readonly IPAddress _fakeIp;
    private readonly ulong _peerMac;

    public AfPacketPortTests()
    {
        (_host, _peer) = _ns.AddVeth();
        _nsIp = IPAddress.Parse(_subnet + "1");
        _fakeIp = IPAddress.Parse(_subnet + "2");
        _ns.Ip("addr", "add", _subnet + "1/24", "dev", _peer);
        _peerMac = Frames.ParseMac(_ns.Exec("cat", $"/sys/class/net/{_peer}/address"));
    }

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void Packet_statistics_count_the_frames_that_arrived_since_the_last_read_and_reset()
    {
        using AfPacketPort port = AfPacketPort.Open(_host);
        port.TakeStatistics();
        _ns.Start("ping", "-c3", "-i0.05", "-W1", _fakeIp.ToString()).WaitForExit();

        // Three ARP requests (nobody answers for the fake address), queued and not read.
        var (received, dropped) = port.TakeStatistics();
        Assert.True(received >= 3, $"received {received}");
        Assert.Equal(0, dropped);
        Assert.Equal((0L, 0L), port.TakeStatistics());
    }

    [Fact]
    public void Arp_request_from_namespace_is_received_and_ping_is_answered()
    {
        using AfPacketPort port = AfPacketPort.Open(_host);
        using var batch = new PacketBatch();
        Assert.Equal(PortKind.AfPacket, port.Kind);
        Assert.Equal(_host, port.Name);
        Assert.True(port.PollFd >= 0);
        Assert.Equal(Frames.ParseMac(File.ReadAllText($"/sys/class/net/{_host}/address")), port.MacAddress);

        var ownSources = new List<byte[]>();
        void NoOwnFrames(byte[] f)
        {
            if (Frames.Src(f) == FakeMac)
            {
                ownSources.Add(f);
            }
        }

        _ns.Start("ping", "-c1", "-W1", _fakeIp.ToString());
        byte[] request = PortProbe.ReceiveUntil(port, batch, f => Frames.IsArp(f, 1, _fakeIp), "ARP request", NoOwnFrames);

        Assert.Equal(Frames.Broadcast, Frames.Dst(request));
        Assert.Equal(_peerMac, Frames.Src(request));
        Assert.Equal(Frames.EtherTypeArp, Frames.EtherType(request));
        Assert.Equal(_nsIp, Frames.ArpSenderIp(request));
        long rxBefore = port.Counters.RxPackets;
        Assert.True(rxBefore >= 1);
        Assert.True(port.Counters.RxBytes >= 42 * rxBefore);

        byte[] reply = Frames.Arp(2, FakeMac, _peerMac, FakeMac, _fakeIp, _peerMac, _nsIp);
        ushort id = (ushort)Random.Shared.Next(1, 65535);
        byte[] echo = Frames.IcmpEcho(8, FakeMac, _peerMac, _fakeIp, _nsIp, id, 1);
        PortProbe.Fill(batch, reply, echo);
        Assert.Equal(2, port.Send(batch));
        Assert.Equal(2, port.Counters.TxPackets);
        Assert.Equal(reply.Length + echo.Length, port.Counters.TxBytes);
        Assert.Equal(0, port.Counters.TxDropped);

        byte[] echoReply = PortProbe.ReceiveUntil(
            port,
            batch,
            f => Frames.IsIcmpEcho(f, 0, _nsIp, id, 1),
            "ICMP echo reply",
            f =>
            {
                NoOwnFrames(f);

                // The namespace may ask again before it has taken our reply in: answer every request.
                if (Frames.IsArp(f, 1, _fakeIp))
                {
                    using var answer = new PacketBatch(1);
                    PortProbe.Fill(answer, reply);
                    port.Send(answer);
                }
            });

        Assert.Equal(FakeMac, Frames.Dst(echoReply));
        Assert.Equal(_peerMac, Frames.Src(echoReply));
        Assert.Equal(echo.Length, echoReply.Length);
        Assert.Empty(ownSources);
        Assert.True(port.Counters.RxPackets > rxBefore);
        Assert.Equal(0, port.Counters.RxDropped);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the receive loop's own sll_pkttype == PACKET_OUTGOING filter (kernels before 4.20)
    public void Frames_sent_by_another_socket_on_the_same_interface_are_not_received(bool ignoreOutgoingInKernel)
    {
        var options = new AfPacketOptions { IgnoreOutgoingInKernel = ignoreOutgoingInKernel };
        using AfPacketPort sender = AfPacketPort.Open(_host, options);
        using AfPacketPort listener = AfPacketPort.Open(_host, options);
        using var batch = new PacketBatch();

        // A unicast frame to an unknown MAC: the namespace drops it, but every AF_PACKET socket on the host end
        // would see it as PACKET_OUTGOING unless the port filters it.
        byte[] marker = Frames.IcmpEcho(8, FakeMac, 0x02_de_ad_00_00_01, _fakeIp, IPAddress.Parse(_subnet + "77"), 4242, 7);
        PortProbe.Fill(batch, marker);
        Assert.Equal(1, sender.Send(batch));

        var leaked = new List<byte[]>();
        _ns.Start("ping", "-c1", "-W1", _fakeIp.ToString());

        // The ARP request is queued after the marker would have been, so once it is seen the marker had its chance.
        PortProbe.ReceiveUntil(listener, batch, f => Frames.IsArp(f, 1, _fakeIp), "ARP request on listener", f =>
        {
            if (Frames.Src(f) == FakeMac)
            {
                leaked.Add(f);
            }
        });
        PortProbe.ReceiveUntil(sender, batch, f => Frames.IsArp(f, 1, _fakeIp), "ARP request on sender", f =>
        {
            if (Frames.Src(f) == FakeMac)
            {
                leaked.Add(f);
            }
        });

        Assert.Empty(leaked);
        Assert.Equal(1, sender.Counters.TxPackets);
        Assert.Equal(0, listener.Counters.TxPackets);
    }

    [Theory]
    [InlineData((ushort)0x8100, (ushort)0xa00a, AfPacketIo.Mmsg)] // 802.1Q, PCP 5, VID 10
    [InlineData((ushort)0x8100, (ushort)0x0000, AfPacketIo.Mmsg)] // priority tag: VID 0
    [InlineData((ushort)0x88a8, (ushort)0x3123, AfPacketIo.Mmsg)] // 802.1ad S-tag, PCP 1, DEI, VID 291
    [InlineData((ushort)0x8100, (ushort)0xa00a, AfPacketIo.Ring)] // the same, from the receive ring's tpacket3_hdr
    [InlineData((ushort)0x88a8, (ushort)0x3123, AfPacketIo.Ring)]
    public void Vlan_tag_stripped_by_the_kernel_is_reinserted(ushort tpid, ushort tci, AfPacketIo io)
    {
        // The receive path untags every 802.1Q/802.1ad frame into skb metadata before AF_PACKET sees it
        // (software rx VLAN "offload"), so the tag arrives only through PACKET_AUXDATA. This kernel has no
        // 8021q module, so the tagged frame is sent raw from inside the namespace rather than over a vlan device.
        using AfPacketPort inside = _ns.InNamespace(() => AfPacketPort.Open(_peer));
        using AfPacketPort port = AfPacketPort.Open(_host, new AfPacketOptions { Io = io });
        using var batch = new PacketBatch();

        byte[] arp = Frames.Arp(1, _peerMac, Frames.Broadcast, _peerMac, _nsIp, 0, _fakeIp);
        byte[] tagged = new byte[arp.Length + 4];
        arp.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), tpid);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), tci);
        arp.AsSpan(12).CopyTo(tagged.AsSpan(16));
        PortProbe.Fill(batch, tagged);
        Assert.Equal(1, inside.Send(batch));

        byte[] received = PortProbe.ReceiveUntil(
            port,
            batch,
            f => Frames.Src(f) == _peerMac && f.Length >= 46 && f.AsSpan(42, 4).SequenceEqual(_fakeIp.GetAddressBytes()),
            "tagged ARP request");

        Assert.Equal(tagged, received);
        Assert.Equal(tpid, Frames.EtherType(received));
        Assert.Equal(tci, BinaryPrimitives.ReadUInt16BigEndian(received.AsSpan(14)));
        Assert.Equal(Frames.EtherTypeArp, BinaryPrimitives.ReadUInt16BigEndian(received.AsSpan(16)));
    }

    [Fact]
    public void Untagged_frames_are_delivered_unchanged_next_to_tagged_ones()
    {
        using AfPacketPort inside = _ns.InNamespace(() => AfPacketPort.Open(_peer));
        using AfPacketPort port = AfPacketPort.Open(_host);
        using var batch = new PacketBatch();

        byte[] plain = Frames.Arp(1, _peerMac, Frames.Broadcast, _peerMac, _nsIp, 0, _fakeIp);
        byte[] tagged = new byte[plain.Length + 4];
        plain.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), 20);
        plain.AsSpan(12).CopyTo(tagged.AsSpan(16));
        PortProbe.Fill(batch, tagged, plain, tagged);
        Assert.Equal(3, inside.Send(batch));

        var got = new List<byte[]>();
        PortProbe.ReceiveUntil(port, batch, f =>
        {
            if (Frames.Src(f) == _peerMac && (Frames.EtherType(f) == Frames.EtherTypeVlan || Frames.EtherType(f) == Frames.EtherTypeArp))
            {
                got.Add(f);
            }

            return got.Count == 3;
        }, "three frames from the namespace");

        Assert.Equal(tagged, got[0]);
        Assert.Equal(plain, got[1]);
        Assert.Equal(tagged, got[2]);
    }

    [Fact]
    public void Frames_larger_than_a_slot_are_dropped_and_counted()
    {
        using AfPacketPort port = AfPacketPort.Open(_host);
        using var small = new PacketBatch(capacity: 8, slotSize: 128);

        // A 300-byte broadcast ping needs no ARP; it does not fit a 128-byte slot. The ARP of a normal ping does.
        _ns.Start("ping", "-b", "-c1", "-W1", "-s", "300", _subnet + "255");
        PortProbe.WaitUntil(
            () =>
            {
                port.Receive(small);
                return port.Counters.RxDropped >= 1;
            },
            "oversized frame drop");

        _ns.Start("ping", "-c1", "-W1", _fakeIp.ToString());
        byte[] arp = PortProbe.ReceiveUntil(port, small, f => Frames.IsArp(f, 1, _fakeIp), "ARP request after the drop");
        Assert.Equal(42, arp.Length);
        Assert.True(port.Counters.RxDropped >= 1);
    }

    [Fact]
    public void Oversized_frames_in_the_middle_of_a_batch_are_dropped_and_the_rest_compacted()
    {
        using AfPacketPort inside = _ns.InNamespace(() => AfPacketPort.Open(_peer));
        using AfPacketPort port = AfPacketPort.Open(_host);
        using var send = new PacketBatch(capacity: 8, slotSize: 2048);
        using var receive = new PacketBatch(capacity: 64, slotSize: 128);

        byte[] first = Frames.IcmpEcho(8, _peerMac, FakeMac, _nsIp, _fakeIp, 1, 1, payloadBytes: 16);
        byte[] big = Frames.IcmpEcho(8, _peerMac, FakeMac, _nsIp, _fakeIp, 1, 2, payloadBytes: 400);
        byte[] last = Frames.IcmpEcho(8, _peerMac, FakeMac, _nsIp, _fakeIp, 1, 3, payloadBytes: 40);

        // 128 bytes untagged fill the 128-byte slot exactly; the kernel strips the tag, so the frame arrives whole,
        // but the re-inserted tag (128 + 4 bytes) no longer fits.
        byte[] tagRoomless = Frames.IcmpEcho(8, _peerMac, FakeMac, _nsIp, _fakeIp, 1, 4, payloadBytes: 86);
        byte[] taggedTooBig = new byte[tagRoomless.Length + 4];
        tagRoomless.AsSpan(0, 12).CopyTo(taggedTooBig);
        BinaryPrimitives.WriteUInt16BigEndian(taggedTooBig.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(taggedTooBig.AsSpan(14), 30);
        tagRoomless.AsSpan(12).CopyTo(taggedTooBig.AsSpan(16));
        Assert.Equal(128, tagRoomless.Length);

        PortProbe.Fill(send, first, big, taggedTooBig, last);
        Assert.Equal(4, inside.Send(send));

        var got = new List<byte[]>();
        PortProbe.ReceiveUntil(port, receive, f =>
        {
            if (Frames.Src(f) == _peerMac && Frames.Dst(f) == FakeMac)
            {
                got.Add(f);
            }

            return f.AsSpan().SequenceEqual(last);
        }, "the last frame");

        Assert.Equal(2, got.Count);
        Assert.Equal(first, got[0]);
        Assert.Equal(last, got[1]);
        Assert.Equal(2, port.Counters.RxDropped);
    }

    [Fact]
    public void Receive_and_send_allocate_nothing_per_call()
    {
        using AfPacketPort inside = _ns.InNamespace(() => AfPacketPort.Open(_peer));
        using AfPacketPort port = AfPacketPort.Open(_host);
        using var send = new PacketBatch();
        using var receive = new PacketBatch();
        byte[] frame = Frames.IcmpEcho(8, _peerMac, FakeMac, _nsIp, _fakeIp, 9, 9);
        for (int i = 0; i < send.Capacity; i++)
        {
            send.TryAppend(frame);
        }

        // Warm up: JIT, P/Invoke stubs, the first frames through both paths.
        inside.Send(send);
        PortProbe.ReceiveUntil(port, receive, f => Frames.Dst(f) == FakeMac, "warm-up frame");
        while (port.Receive(receive) > 0)
        {
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sent = 0;
        int received = 0;
        for (int round = 0; round < 20; round++)
        {
            sent += inside.Send(send);
            for (int spin = 0; spin < 1000 && received < sent; spin++)
            {
                received += port.Receive(receive);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sent > 0 && received > 0, $"sent {sent}, received {received}");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Opening_a_missing_interface_names_it_and_the_errno()
    {
        string name = "fabt-nx" + NetNs.RandomHex(6);
        PortException e = Assert.Throws<PortException>(() => AfPacketPort.Open(name));
        Assert.Equal($"cannot open AF_PACKET on '{name}': No such device", e.Message);
        Assert.Equal(name, e.PortName);
        Assert.Equal(19, e.Errno);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Opening_an_invalid_name_is_a_port_exception()
    {
        PortException e = Assert.Throws<PortException>(() => AfPacketPort.Open("much-too-long-interface"));
        Assert.StartsWith("cannot open AF_PACKET on 'much-too-long-interface': interface name", e.Message);
        Assert.Throws<PortException>(() => AfPacketPort.Open("a/b"));
        Assert.Throws<PortException>(() => AfPacketPort.Open(string.Empty));
    }

    [Fact]
    public void Carrier_follows_the_peer_link_state()
    {
        using AfPacketPort port = AfPacketPort.Open(_host);
        PortProbe.WaitUntil(() => port.CarrierUp, "carrier up");

        _ns.Ip("link", "set", _peer, "down");
        PortProbe.WaitUntil(() => !port.CarrierUp, "carrier down after peer down");

        _ns.Ip("link", "set", _peer, "up");
        PortProbe.WaitUntil(() => port.CarrierUp, "carrier up after peer up");

        port.Dispose();
        Assert.False(port.CarrierUp);
        Assert.Equal(-1, port.PollFd);
    }

    [Fact]
    public void Receive_buffer_is_sized_from_the_options_and_promiscuous_mode_is_held()
    {
        using (AfPacketPort port = AfPacketPort.Open(_host))
        {
            // The kernel doubles the value set and reports the doubled size.
            Assert.True(port.ReadReceiveBufferBytes() >= AfPacketOptions.DefaultReceiveBufferBytes);
            Assert.NotEqual(0, ReadFlags(_host) & 0x100);
        }

        // The last reference to the socket may briefly be a child that another test forked and that has not reached
        // exec(2) yet (CLOEXEC closes it there), so the kernel may drop the membership a moment after Dispose.
        PortProbe.WaitUntil(() => (ReadFlags(_host) & 0x100) == 0, "promiscuous mode dropped after the socket closed");
        using AfPacketPort sized = AfPacketPort.Open(_host, new AfPacketOptions { ReceiveBufferBytes = 1 << 20, Promiscuous = false });
        int actual = sized.ReadReceiveBufferBytes();
        Assert.InRange(actual, 1 << 20, 2 << 20);
        Assert.Equal(0, ReadFlags(_host) & 0x100);
    }

    [Fact]
    public void Dispose_is_idempotent_and_a_disposed_port_neither_receives_nor_sends()
    {
        AfPacketPort port = AfPacketPort.Open(_host);
        port.Dispose();
        port.Dispose();
        using var batch = new PacketBatch();
        Assert.Equal(0, port.Receive(batch));
        PortProbe.Fill(batch, Frames.Arp(1, FakeMac, Frames.Broadcast, FakeMac, _fakeIp, 0, _nsIp));
        Assert.Equal(0, port.Send(batch));
        Assert.Equal(1, port.Counters.TxDropped);
    }

    private static int ReadFlags(string dev) =>
        Convert.ToInt32(File.ReadAllText($"/sys/class/net/{dev}/flags").Trim(), 16);
}
