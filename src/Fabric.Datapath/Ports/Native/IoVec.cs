using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct iovec</c> (sys/uio.h): one scatter/gather buffer, 16 bytes on Linux x86-64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    /// <summary><c>iov_base</c>: buffer address.</summary>
    public byte* Base;

    /// <summary><c>iov_len</c>: buffer length (bytes).</summary>
    public nuint Len;
}
