using Fabric.Datapath.Flows;
using Fabric.Datapath.Packets;
using Xunit;

namespace Fabric.Datapath.Tests.Packets;

public class LearningPacketTests
{
    private const ulong Mac = 0x505400a1b2c3; // 50:54:00:a1:b2:c3

    /// <summary>Hand-written: 14-byte Ethernet header, 28-byte RARP body, 18 bytes of zero padding.</summary>
    private static readonly byte[] Untagged =
    [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst: broadcast
        0x50, 0x54, 0x00, 0xa1, 0xb2, 0xc3, // src: the learned MAC
        0x80, 0x35,                         // EtherType RARP
        0x00, 0x01,                         // htype Ethernet
        0x08, 0x00,                         // ptype IPv4
        0x06, 0x04,                         // hlen 6, plen 4
        0x00, 0x03,                         // opcode 3 (reverse request)
        0x50, 0x54, 0x00, 0xa1, 0xb2, 0xc3, // sender HW
        0x00, 0x00, 0x00, 0x00,             // sender IP 0.0.0.0
        0x50, 0x54, 0x00, 0xa1, 0xb2, 0xc3, // target HW
        0x00, 0x00, 0x00, 0x00,             // target IP 0.0.0.0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // padding to 60
    ];

    /// <summary>Hand-written: as <see cref="Untagged"/> with 81 00 00 64 (VLAN 100) after the source MAC: 64 bytes.</summary>
    private static readonly byte[] TaggedVlan100 =
    [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x50, 0x54, 0x00, 0xa1, 0xb2, 0xc3,
        0x81, 0x00, 0x00, 0x64,             // 802.1Q, PCP 0, VID 100
        0x80, 0x35,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x03,
        0x50, 0x54, 0x00, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x00,
        0x50, 0x54, 0x00, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x00,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    [Fact]
    public void Hand_written_frames_have_the_expected_lengths()
    {
        Assert.Equal(60, Untagged.Length);
        Assert.Equal(64, TaggedVlan100.Length);
    }

    [Fact]
    public void Untagged_frame_is_byte_exact()
    {
        var buffer = new byte[100];
        int n = LearningPacket.ComposeRarp(buffer, Mac, 0);
        Assert.Equal(LearningPacket.UntaggedLength, n);
        Assert.Equal(Untagged, buffer.AsSpan(0, n).ToArray());
    }

    [Fact]
    public void Tagged_frame_is_byte_exact()
    {
        var buffer = new byte[64];
        int n = LearningPacket.ComposeRarp(buffer, Mac, 100);
        Assert.Equal(LearningPacket.TaggedLength, n);
        Assert.Equal(TaggedVlan100, buffer);
    }

    [Fact]
    public void Vlan_4095_fills_the_whole_vid_field()
    {
        var buffer = new byte[64];
        LearningPacket.ComposeRarp(buffer, Mac, 4095);
        Assert.Equal(new byte[] { 0x81, 0x00, 0x0f, 0xff, 0x80, 0x35 }, buffer.AsSpan(12, 6).ToArray());
    }

    [Fact]
    public void Stale_bytes_in_the_buffer_are_overwritten_and_bytes_past_the_frame_are_untouched()
    {
        var buffer = new byte[70];
        buffer.AsSpan().Fill(0xee);
        int n = LearningPacket.ComposeRarp(buffer, Mac, 0);
        Assert.Equal(Untagged, buffer.AsSpan(0, n).ToArray());
        Assert.All(buffer.AsSpan(n).ToArray(), b => Assert.Equal(0xee, b));
    }

    [Fact]
    public void Only_the_low_48_mac_bits_are_used()
    {
        var buffer = new byte[60];
        LearningPacket.ComposeRarp(buffer, Mac | (0xffffUL << 48), 0);
        Assert.Equal(Untagged, buffer);
    }

    [Fact]
    public void Parser_reads_the_untagged_frame_back()
    {
        var buffer = new byte[60];
        int n = LearningPacket.ComposeRarp(buffer, Mac, 0);
        Assert.Equal(DropReason.None, PacketParser.Parse(buffer.AsSpan(0, n), 4, out FlowKey key, out ushort tcpFlags));
        Assert.Equal(0, tcpFlags);
        Assert.Equal(PacketParser.EthTypeRarp, key.DlType);
        Assert.Equal(0x8035, key.DlType);
        Assert.False(key.HasVlan);
        Assert.Equal(0, key.VlanTci);
        Assert.Equal(4, key.InPort);
        Assert.Equal(Mac, key.DlSrc);
        Assert.Equal(0xffff_ffff_ffffUL, key.DlDst);
        Assert.Equal(3, key.ArpOp);
        Assert.Equal(Mac, key.ArpSha);
        Assert.Equal(Mac, key.ArpTha);
        Assert.Equal(0u, key.Ipv4Src);
        Assert.Equal(0u, key.Ipv4Dst);
    }

    [Fact]
    public void Parser_reads_the_tagged_frame_back()
    {
        var buffer = new byte[64];
        int n = LearningPacket.ComposeRarp(buffer, Mac, 100);
        Assert.Equal(DropReason.None, PacketParser.Parse(buffer.AsSpan(0, n), 4, out FlowKey key, out _));
        Assert.Equal(0x8035, key.DlType);
        Assert.True(key.HasVlan);
        Assert.Equal(100, key.VlanVid);
        Assert.Equal(0, key.VlanPcp);
        Assert.Equal(FlowKey.VlanPresent | 100, key.VlanTci);
        Assert.Equal(0, key.VlanTci2);
        Assert.Equal(Mac, key.DlSrc);
        Assert.Equal(3, key.ArpOp);
        Assert.Equal(Mac, key.ArpSha);
        Assert.Equal(Mac, key.ArpTha);
    }

    [Theory]
    [InlineData(0, 59)]
    [InlineData(0, 0)]
    [InlineData(1, 63)]
    [InlineData(4095, 60)]
    public void A_too_small_buffer_is_refused(int vlan, int size)
    {
        var buffer = new byte[size];
        Assert.Throws<ArgumentException>(() => LearningPacket.ComposeRarp(buffer, Mac, vlan));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4096)]
    public void A_vlan_outside_the_vid_range_is_refused(int vlan)
    {
        var buffer = new byte[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningPacket.ComposeRarp(buffer, Mac, vlan));
    }

    [Fact]
    public void Composing_does_not_allocate()
    {
        Span<byte> buffer = stackalloc byte[64];
        LearningPacket.ComposeRarp(buffer, Mac, 7);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            LearningPacket.ComposeRarp(buffer, Mac + (ulong)i, i & 0xfff);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
