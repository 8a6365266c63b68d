using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct cmsghdr</c> (sys/socket.h): header of one ancillary data item, 16 bytes on Linux x86-64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CMsgHdr
{
    /// <summary><c>cmsg_len</c>: header plus data length (bytes), not aligned.</summary>
    public nuint Len;

    /// <summary><c>cmsg_level</c>: originating protocol (SOL_PACKET).</summary>
    public int Level;

    /// <summary><c>cmsg_type</c>: protocol-specific type (PACKET_AUXDATA).</summary>
    public int Type;
}
