using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Datapath.Tests.Ports.Vxlan;

/// <summary>The 8-byte VXLAN header of RFC 7348 §5, written and read byte by byte.</summary>
public sealed class VxlanHeaderTests
{
    [Theory]
    [InlineData(0u, new byte[] { 0x08, 0, 0, 0, 0x00, 0x00, 0x00, 0 })]
    [InlineData(100u, new byte[] { 0x08, 0, 0, 0, 0x00, 0x00, 0x64, 0 })]
    [InlineData(0x123456u, new byte[] { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 })]
    [InlineData(0xFFFFFFu, new byte[] { 0x08, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0 })]
    public void Write_puts_the_I_flag_and_the_VNI_in_network_order_and_zeros_elsewhere(uint vni, byte[] expected)
    {
        var buffer = new byte[10];
        buffer.AsSpan().Fill(0xEE);

        VxlanHeader.Write(buffer, vni);

        Assert.Equal(expected, buffer[..8]);
        Assert.Equal(0xEE, buffer[8]);
    }

    [Fact]
    public void Write_refuses_a_VNI_wider_than_24_bits_and_a_short_buffer()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VxlanHeader.Write(new byte[8], 0x1000000));
        Assert.Throws<ArgumentException>(() => VxlanHeader.Write(new byte[7], 1));
    }

    [Fact]
    public void Parse_reads_back_what_write_wrote_with_an_inner_frame_behind_it()
    {
        var datagram = new byte[8 + 60];
        VxlanHeader.Write(datagram, 0xABCDEF);

        Assert.Equal(DropReason.None, VxlanHeader.Parse(datagram, out uint vni));
        Assert.Equal(0xABCDEFu, vni);
    }

    [Fact]
    public void Parse_ignores_the_reserved_bits_as_a_receiver_must()
    {
        // RFC 7348 §5: reserved fields "MUST be ignored on receipt"; the other seven flag bits are reserved too.
        byte[] datagram = [0xFF, 0xAA, 0xBB, 0xCC, 0x00, 0x00, 0x07, 0xDD, .. new byte[14]];

        Assert.Equal(DropReason.None, VxlanHeader.Parse(datagram, out uint vni));
        Assert.Equal(7u, vni);
    }

    [Fact]
    public void A_header_without_the_I_flag_is_dropped()
    {
        byte[] datagram = [0xF7, 0, 0, 0, 0, 0, 0x64, 0, .. new byte[60]];

        Assert.Equal(DropReason.VxlanNoVniFlag, VxlanHeader.Parse(datagram, out uint vni));
        Assert.Equal(0u, vni);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void A_datagram_shorter_than_the_header_is_dropped(int length)
    {
        var datagram = new byte[length];
        if (length > 0)
        {
            datagram[0] = VxlanHeader.FlagI;
        }

        Assert.Equal(DropReason.VxlanTruncated, VxlanHeader.Parse(datagram, out _));
    }

    [Theory]
    [InlineData(8, DropReason.VxlanInnerTooShort)]
    [InlineData(8 + 13, DropReason.VxlanInnerTooShort)]
    [InlineData(8 + 14, DropReason.None)]
    public void The_inner_frame_must_hold_an_Ethernet_header(int length, DropReason expected)
    {
        var datagram = new byte[length];
        VxlanHeader.Write(datagram, 5);

        Assert.Equal(expected, VxlanHeader.Parse(datagram, out _));
    }

    [Fact]
    public void A_header_received_apart_from_its_frame_is_judged_by_the_datagram_length()
    {
        var header = new byte[8];
        VxlanHeader.Write(header, 9);

        Assert.Equal(DropReason.None, VxlanHeader.Parse(header, 8 + 64, out uint vni));
        Assert.Equal(9u, vni);
        Assert.Equal(DropReason.VxlanInnerTooShort, VxlanHeader.Parse(header, 8 + 10, out _));
        Assert.Equal(DropReason.VxlanTruncated, VxlanHeader.Parse(header, 5, out _));
    }
}
