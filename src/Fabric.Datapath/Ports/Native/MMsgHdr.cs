using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct mmsghdr</c> (sys/socket.h) for recvmmsg/sendmmsg, 64 bytes on Linux x86-64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MMsgHdr
{
    /// <summary><c>msg_hdr</c>: the message.</summary>
    public MsgHdr Hdr;

    /// <summary><c>msg_len</c>: bytes received or sent for this message.</summary>
    public uint Len;
}
