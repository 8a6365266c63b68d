using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fabric.Datapath.Ports.Native;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>The interop structs have the exact Linux x86-64 sizes and field offsets.</summary>
public sealed class NativeLayoutTests
{
    [Fact]
    public void Struct_sizes_match_linux_x86_64()
    {
        Assert.Equal(20, Unsafe.SizeOf<SockAddrLl>());
        Assert.Equal(16, Unsafe.SizeOf<PacketMreq>());
        Assert.Equal(20, Unsafe.SizeOf<TPacketAuxData>());
        Assert.Equal(16, Unsafe.SizeOf<IoVec>());
        Assert.Equal(56, Unsafe.SizeOf<MsgHdr>());
        Assert.Equal(64, Unsafe.SizeOf<MMsgHdr>());
        Assert.Equal(16, Unsafe.SizeOf<CMsgHdr>());
        Assert.Equal(40, Unsafe.SizeOf<IfReq>());
        Assert.Equal(8, Unsafe.SizeOf<PollFd>());
        Assert.Equal(28, Unsafe.SizeOf<TPacketReq3>());
        Assert.Equal(48, Unsafe.SizeOf<TPacketBlockDesc>());
        Assert.Equal(48, Unsafe.SizeOf<TPacket3Hdr>());
        Assert.Equal(32, Unsafe.SizeOf<TPacket2Hdr>());
    }

    [Theory]
    [InlineData(typeof(SockAddrLl), nameof(SockAddrLl.IfIndex), 4)]
    [InlineData(typeof(SockAddrLl), nameof(SockAddrLl.PktType), 10)]
    [InlineData(typeof(SockAddrLl), nameof(SockAddrLl.HaLen), 11)]
    [InlineData(typeof(SockAddrLl), nameof(SockAddrLl.Addr), 12)]
    [InlineData(typeof(PacketMreq), nameof(PacketMreq.Type), 4)]
    [InlineData(typeof(PacketMreq), nameof(PacketMreq.Address), 8)]
    [InlineData(typeof(TPacketAuxData), nameof(TPacketAuxData.Mac), 12)]
    [InlineData(typeof(TPacketAuxData), nameof(TPacketAuxData.VlanTci), 16)]
    [InlineData(typeof(TPacketAuxData), nameof(TPacketAuxData.VlanTpid), 18)]
    [InlineData(typeof(IoVec), nameof(IoVec.Len), 8)]
    [InlineData(typeof(MsgHdr), nameof(MsgHdr.NameLen), 8)]
    [InlineData(typeof(MsgHdr), nameof(MsgHdr.Iov), 16)]
    [InlineData(typeof(MsgHdr), nameof(MsgHdr.IovLen), 24)]
    [InlineData(typeof(MsgHdr), nameof(MsgHdr.Control), 32)]
    [InlineData(typeof(MsgHdr), nameof(MsgHdr.ControlLen), 40)]
    [InlineData(typeof(MsgHdr), nameof(MsgHdr.Flags), 48)]
    [InlineData(typeof(MMsgHdr), nameof(MMsgHdr.Len), 56)]
    [InlineData(typeof(CMsgHdr), nameof(CMsgHdr.Level), 8)]
    [InlineData(typeof(CMsgHdr), nameof(CMsgHdr.Type), 12)]
    [InlineData(typeof(IfReq), nameof(IfReq.Flags), 16)]
    [InlineData(typeof(IfReq), nameof(IfReq.HwAddrData), 18)]
    [InlineData(typeof(PollFd), nameof(PollFd.Events), 4)]
    [InlineData(typeof(PollFd), nameof(PollFd.REvents), 6)]
    public void Field_offsets_match_linux_x86_64(Type type, string field, int offset)
    {
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));
    }

    [Fact]
    public void Ifreq_name_round_trips_and_is_nul_terminated()
    {
        IfReq req = IfReq.ForName("abcdefghijklmno");
        Assert.Equal("abcdefghijklmno", req.GetName());
        Assert.Equal(0, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref req, 1))[15]);
    }

    [Fact]
    public void Errno_text_is_the_c_library_message()
    {
        Assert.Equal("No such device", Errno.Message(LinuxConstants.ENODEV));
        Assert.Equal(8, LinuxConstants.CmsgAlign(5));
        Assert.Equal(16, LinuxConstants.CmsgAlign(16));
    }
}
