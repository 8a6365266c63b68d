using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// The libc calls for handing descriptors between processes (sendmsg/recvmsg with SCM_RIGHTS, socketpair) and for
/// adopting them (getsockname, fcntl, setns), declared like <see cref="LibC"/>: <see cref="LibraryImportAttribute"/>,
/// <c>SetLastError = true</c>, blittable. Control path only.
/// </summary>
internal static unsafe partial class LibCMsg
{
    private const string Lib = "libc";

    // Address families, socket types and message flags (linux/socket.h, linux/net.h).
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_SEQPACKET = 5;
    public const int SO_TYPE = 3;
    public const int SO_PEERCRED = 17;
    public const int SCM_RIGHTS = 1;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>SCM_MAX_FD (include/net/scm.h): most descriptors one SCM_RIGHTS message may carry.</summary>
    public const int ScmMaxFd = 253;

    // fcntl(2) commands and flags (asm-generic/fcntl.h).
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int FD_CLOEXEC = 1;

    // setns(2) namespace type (linux/sched.h).
    public const int CLONE_NEWNET = 0x40000000;

    // TUN ioctls (linux/if_tun.h): _IOR('T', 210, unsigned int) and _IO('T', 227).
    public const ulong TUNGETIFF = 0x800454d2;
    public const ulong TUNGETDEVNETNS = 0x54e3;
    public const short IFF_TUN = 0x0001;

    // errno values (asm-generic/errno-base.h).
    public const int EBADF = 9;

    [LibraryImport(Lib, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Lib, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, void* addr, uint* addrLen);

    /// <summary>fcntl(2) with an int argument (F_GETFD, F_SETFD, F_GETFL, F_SETFL); the third argument is ignored by the GET commands.</summary>
    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    /// <summary>CMSG_LEN(n): header (16 bytes) plus <paramref name="dataBytes"/> of data, unpadded; the value of cmsg_len.</summary>
    public static int CmsgLen(int dataBytes) => sizeof(CMsgHdr) + dataBytes;

    /// <summary>CMSG_SPACE(n): header plus <paramref name="dataBytes"/> rounded up to 8; the room one item takes in msg_control.</summary>
    public static int CmsgSpace(int dataBytes) => sizeof(CMsgHdr) + LinuxConstants.CmsgAlign(dataBytes);

    /// <summary>Sets FD_CLOEXEC on <paramref name="fd"/> (on) or clears it (off); returns errno, 0 on success.</summary>
    public static int SetCloseOnExec(int fd, bool on)
    {
        int flags = Fcntl(fd, F_GETFD, 0);
        if (flags < 0)
        {
            return Errno.Last;
        }

        int wanted = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        return wanted == flags || Fcntl(fd, F_SETFD, wanted) == 0 ? 0 : Errno.Last;
    }

    /// <summary>
    /// Sets O_NONBLOCK on the open file description of <paramref name="fd"/> unless it is set already; returns errno,
    /// 0 on success. The flag is shared by every descriptor of that file, in every process holding one.
    /// </summary>
    public static int EnsureNonBlocking(int fd)
    {
        int flags = Fcntl(fd, F_GETFL, 0);
        if (flags < 0)
        {
            return Errno.Last;
        }

        return (flags & LinuxConstants.O_NONBLOCK) != 0 || Fcntl(fd, F_SETFL, flags | LinuxConstants.O_NONBLOCK) == 0 ? 0 : Errno.Last;
    }
}
