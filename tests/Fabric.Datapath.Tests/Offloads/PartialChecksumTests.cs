using Fabric.Datapath.Offloads;

namespace Fabric.Datapath.Tests.Offloads;

public sealed class PartialChecksumTests
{
    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 1)]
    [InlineData(false, 1001)]
    [InlineData(true, 0)]
    [InlineData(true, 1460)]
    public void Completing_a_pseudo_header_sum_gives_the_full_tcp_checksum(bool ipv6, int payload)
    {
        byte[] good = TcpFrames.Build(ipv6, TcpFrames.Pattern(payload));
        byte[] partial = (byte[])good.Clone();
        int l4 = 14 + (ipv6 ? 40 : 20);
        TcpFrames.MakePartial(partial, 14, l4, ipv6);
        Assert.NotEqual(good, partial);
        var header = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = (ushort)l4, CsumOffset = 16 };

        Assert.True(PartialChecksum.Complete(partial, header));

        Assert.Equal(good, partial);
    }

    [Fact]
    public void Offsets_outside_the_frame_are_refused_and_change_nothing()
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(10));
        byte[] copy = (byte[])frame.Clone();
        var beyond = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = (ushort)(frame.Length - 1), CsumOffset = 0 };
        var start = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsCsum, CsumStart = (ushort)frame.Length, CsumOffset = 0 };

        Assert.False(PartialChecksum.Complete(frame, beyond));
        Assert.False(PartialChecksum.Complete(frame, start));
        Assert.Equal(copy, frame);
    }

    [Fact]
    public void A_frame_without_needs_csum_is_left_alone()
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(10));
        byte[] copy = (byte[])frame.Clone();
        Assert.True(PartialChecksum.Complete(frame, new VirtioNetHeader { Flags = VirtioNetFlags.DataValid, CsumStart = 9999 }));
        Assert.Equal(copy, frame);
    }
}
