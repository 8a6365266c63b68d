using System.Runtime.InteropServices;

namespace Fabric.BareForwarder;

/// <summary>
/// The libc calls the forwarder makes and the Linux x86-64 constants they take (linux/socket.h, linux/if_packet.h,
/// linux/if_ether.h, asm-generic/errno-base.h). DllImport with blittable signatures: the arrays and refs are pinned
/// for the call, nothing is copied or allocated, and the project needs no unsafe code.
/// </summary>
internal static class LibC
{
    public const int AF_PACKET = 17;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const ushort ETH_P_ALL = 0x0003;
    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_SNDBUFFORCE = 32;
    public const int SO_RCVBUFFORCE = 33;
    public const int SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1;
    public const ushort PACKET_MR_PROMISC = 1;
    public const int PACKET_VNET_HDR = 15;
    public const int PACKET_IGNORE_OUTGOING = 23;
    public const int EINTR = 4;

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static extern int Bind(int fd, ref LinkAddress address, int length);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int SetSockOpt(int fd, int level, int name, ref PromiscuousRequest value, int length);

    [DllImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static extern int GetSockOpt(int fd, int level, int name, ref int value, ref int length);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static extern nint Recv(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    public static extern nint Send(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static extern int SendMMsg(int fd, nint messages, uint count, int flags);

    [DllImport("libc", EntryPoint = "if_nametoindex", SetLastError = true)]
    public static extern uint IfNameToIndex([MarshalAs(UnmanagedType.LPStr)] string name);

    [DllImport("libc", EntryPoint = "strerror")]
    private static extern nint StrError(int errno);

    /// <summary>errno's text (strerror(3)), for error messages.</summary>
    public static string ErrorText(int errno) => Marshal.PtrToStringAnsi(StrError(errno)) ?? $"errno {errno}";
}
