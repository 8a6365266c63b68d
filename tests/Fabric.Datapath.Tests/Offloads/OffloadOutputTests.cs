using Fabric.Datapath.Actions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Tests.Offloads;

/// <summary>Frames with vnet headers leaving through ports with and without vnet headers (<see cref="OutputBatches"/>).</summary>
public sealed class OffloadOutputTests : IDisposable
{
    private const ushort In = 1;
    private const ushort Vnet = 2;
    private const ushort Plain = 3;

    private readonly Dictionary<ushort, IDatapathPort> _ports = new()
    {
        [In] = new VnetTestPort("in"),
        [Vnet] = new VnetTestPort("vnet"),
        [Plain] = new MemoryPort("plain"),
    };

    private readonly OutputBatches _outputs = new(batchCapacity: 64, slotSize: PacketBatch.LargeSlotSize);

    public OffloadOutputTests() => _outputs.SetPorts(_ports);

    public void Dispose()
    {
        _outputs.Dispose();
        foreach (IDatapathPort p in _ports.Values)
        {
            p.Dispose();
        }
    }

    [Fact]
    public void A_gso_frame_passes_whole_to_a_vnet_port_and_in_segments_to_a_plain_one()
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(60000));
        VirtioNetHeader h = TcpFrames.GsoHeader(false, 1448);

        ActionExecutor.Execute(frame, h, In, DatapathActions.Create([DatapathAction.Output(Vnet), DatapathAction.Output(Plain)]), _outputs);

        PacketBatch vnet = _outputs.BatchFor(Vnet)!;
        Assert.Equal(1, vnet.Count);
        Assert.Equal(frame, vnet.Frame(0).ToArray());
        Assert.Equal(h, vnet.Vnet(0));

        PacketBatch plain = _outputs.BatchFor(Plain)!;
        Assert.Equal(42, plain.Count);
        int payload = 0;
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.Equal(default, plain.Vnet(i));
            Assert.True(plain.Length(i) <= 14 + 20 + TcpFrames.TcpHeaderBytes + 1448);
            payload += plain.Length(i) - (14 + 20 + TcpFrames.TcpHeaderBytes);
        }

        Assert.Equal(60000, payload);
        Assert.Equal(0, _outputs.OffloadDropped);
    }

    [Fact]
    public void Segments_beyond_a_full_batch_are_sent_and_the_rest_queued()
    {
        byte[] frame = TcpFrames.Build(true, TcpFrames.Pattern(65000));
        ActionExecutor.Execute(frame, TcpFrames.GsoHeader(true, 1000), In, DatapathActions.OutputTo(Plain), _outputs);

        var plain = (MemoryPort)_ports[Plain];
        Assert.Equal(64, plain.SentCount);
        Assert.Equal(1, _outputs.BatchFor(Plain)!.Count);
    }

    [Fact]
    public void A_partial_checksum_is_completed_for_a_plain_port_and_kept_partial_for_a_vnet_port()
    {
        byte[] good = TcpFrames.Build(false, TcpFrames.Pattern(700));
        byte[] partial = (byte[])good.Clone();
        TcpFrames.MakePartial(partial, 14, 34, false);
        var h = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = 34, CsumOffset = 16 };

        ActionExecutor.Execute(partial, h, In, DatapathActions.Create([DatapathAction.Output(Vnet), DatapathAction.Output(Plain)]), _outputs);

        Assert.Equal(partial, _outputs.BatchFor(Vnet)!.Frame(0).ToArray());
        Assert.Equal(good, _outputs.BatchFor(Plain)!.Frame(0).ToArray());
    }

    [Fact]
    public void A_pushed_vlan_tag_moves_the_checksum_start_so_the_checksum_still_completes()
    {
        byte[] partial = TcpFrames.Build(false, TcpFrames.Pattern(300));
        TcpFrames.MakePartial(partial, 14, 34, false);
        var h = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = 34, CsumOffset = 16, HdrLen = 66 };

        ActionExecutor.Execute(partial, h, In, DatapathActions.Create([DatapathAction.PushVlanTag(10, 0), DatapathAction.Output(Vnet), DatapathAction.Output(Plain)]), _outputs);

        Assert.Equal(38, _outputs.BatchFor(Vnet)!.Vnet(0).CsumStart);
        Assert.Equal(70, _outputs.BatchFor(Vnet)!.Vnet(0).HdrLen);
        byte[] sent = _outputs.BatchFor(Plain)!.Frame(0).ToArray();
        Assert.Equal(TcpFrames.TcpChecksum(sent, 18, 38, false), System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(38 + 16)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_plain_super_frame_from_the_slow_path_is_cut_into_1280_byte_ip_packets_for_every_port(bool ipv6)
    {
        // A GSO super-frame that missed the megaflows comes back as a packet-out without its vnet header, its TCP
        // checksum still the partial pseudo-header sum.
        byte[] frame = TcpFrames.Build(ipv6, TcpFrames.Pattern(20000));
        int l3 = 14, l4 = l3 + (ipv6 ? 40 : 20), headers = l4 + TcpFrames.TcpHeaderBytes;
        TcpFrames.MakePartial(frame, l3, l4, ipv6);

        ActionExecutor.Execute(frame, In, DatapathActions.OutputTo(Vnet, Plain), _outputs);

        foreach (ushort port in new[] { Vnet, Plain })
        {
            PacketBatch batch = _outputs.BatchFor(port)!;
            int mss = 1280 - (headers - l3);
            Assert.Equal((20000 + mss - 1) / mss, batch.Count);
            int payload = 0;
            for (int i = 0; i < batch.Count; i++)
            {
                byte[] s = batch.Frame(i).ToArray();
                Assert.Equal(default, batch.Vnet(i));
                Assert.True(s.Length - l3 <= 1280);
                Assert.Equal(TcpFrames.TcpChecksum(s, l3, l4, ipv6), System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l4 + 16)));
                payload += s.Length - headers;
            }

            Assert.Equal(20000, payload);
        }

        Assert.Equal(0, _outputs.OffloadDropped);
    }

    [Fact]
    public void A_plain_frame_within_the_ethernet_mtu_or_not_tcp_goes_out_as_it_is()
    {
        byte[] full = TcpFrames.Build(false, TcpFrames.Pattern(1500 - 20 - TcpFrames.TcpHeaderBytes));
        byte[] udp = TcpFrames.BuildUdp(false, TcpFrames.Pattern(3000));

        ActionExecutor.Execute(full, In, DatapathActions.OutputTo(Vnet), _outputs);
        ActionExecutor.Execute(udp, In, DatapathActions.OutputTo(Vnet), _outputs);

        PacketBatch batch = _outputs.BatchFor(Vnet)!;
        Assert.Equal(2, batch.Count);
        Assert.Equal(full, batch.Frame(0).ToArray());
        Assert.Equal(udp, batch.Frame(1).ToArray());
    }

    [Fact]
    public void A_udp_segment_frame_goes_whole_to_a_vnet_port_and_as_datagrams_to_a_plain_one()
    {
        byte[] frame = TcpFrames.BuildUdp(false, TcpFrames.Pattern(3000));
        VirtioNetHeader h = TcpFrames.UsoHeader(false, 1472);

        Assert.True(_outputs.Append(Vnet, frame, h));
        Assert.True(_outputs.Append(Plain, frame, h));

        Assert.Equal(1, _outputs.BatchFor(Vnet)!.Count);
        Assert.Equal(h, _outputs.BatchFor(Vnet)!.Vnet(0));
        PacketBatch plain = _outputs.BatchFor(Plain)!;
        Assert.Equal(3, plain.Count);
        Assert.Equal([14 + 20 + 8 + 1472, 14 + 20 + 8 + 1472, 14 + 20 + 8 + 56], Enumerable.Range(0, 3).Select(i => plain.Length(i)));
        Assert.Equal(0, _outputs.OffloadDropped);
    }

    [Theory]
    [InlineData(VirtioGsoType.Udp)]
    [InlineData(VirtioGsoType.UdpL4)]
    public void Ufo_frames_and_gso_types_that_do_not_match_the_frame_are_counted_and_dropped_for_a_plain_port(VirtioGsoType type)
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(5000));
        VirtioNetHeader h = TcpFrames.GsoHeader(false, 1448);
        h.GsoType = type;

        Assert.False(_outputs.Append(Plain, frame, h));
        Assert.True(_outputs.Append(Vnet, frame, h));

        Assert.Equal(1, _outputs.OffloadDropped);
        Assert.Equal(1, _ports[Plain].Counters.TxDropped);
        Assert.Equal(1, _ports[Plain].Counters.TxOffloadDropped);
        Assert.Equal(0, _outputs.BatchFor(Plain)!.Count);
    }

    [Fact]
    public void A_checksum_offset_outside_the_frame_is_counted_and_dropped()
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(10));
        var h = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = 70, CsumOffset = 16 };

        Assert.False(_outputs.Append(Plain, frame, h));
        Assert.Equal(1, _outputs.OffloadDropped);
        Assert.Equal(0, _outputs.BatchFor(Plain)!.Count);
    }
}
