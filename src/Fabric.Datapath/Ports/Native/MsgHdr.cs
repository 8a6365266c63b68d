using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct msghdr</c> (sys/socket.h), 56 bytes on Linux x86-64 (padding after namelen and flags).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    /// <summary><c>msg_name</c>: address buffer (a <see cref="SockAddrLl"/> here), or null.</summary>
    public void* Name;

    /// <summary><c>msg_namelen</c>: size of <see cref="Name"/> (bytes); updated by the kernel on receive.</summary>
    public uint NameLen;

    /// <summary><c>msg_iov</c>: the scatter/gather array.</summary>
    public IoVec* Iov;

    /// <summary><c>msg_iovlen</c>: number of entries in <see cref="Iov"/>.</summary>
    public nuint IovLen;

    /// <summary><c>msg_control</c>: ancillary data buffer, or null.</summary>
    public void* Control;

    /// <summary><c>msg_controllen</c>: size of <see cref="Control"/> (bytes); updated by the kernel on receive.</summary>
    public nuint ControlLen;

    /// <summary><c>msg_flags</c>: MSG_TRUNC, MSG_CTRUNC, … set by the kernel on receive.</summary>
    public int Flags;
}
