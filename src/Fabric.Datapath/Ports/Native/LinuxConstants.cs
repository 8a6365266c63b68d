namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// Linux x86-64 constants from the kernel UAPI headers (linux/socket.h, linux/if_packet.h, linux/if_ether.h,
/// linux/if_tun.h, linux/sockios.h, asm-generic/errno.h, asm-generic/fcntl.h) used by the port implementations.
/// </summary>
internal static class LinuxConstants
{
    // Address families and socket types (linux/socket.h, linux/net.h).
    public const int AF_INET = 2;
    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;

    // EtherTypes (linux/if_ether.h), host order.
    public const ushort ETH_P_ALL = 0x0003;
    public const ushort ETH_P_8021Q = 0x8100;

    // Socket options.
    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_SNDBUFFORCE = 32;
    public const int SO_RCVBUFFORCE = 33;
    public const int SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1;
    public const int PACKET_MR_PROMISC = 1;
    public const int PACKET_AUXDATA = 8;
    public const int PACKET_STATISTICS = 6;
    public const int PACKET_IGNORE_OUTGOING = 23;

    // PACKET_MMAP rings (packet(7), Documentation/networking/packet_mmap.rst).
    public const int PACKET_RX_RING = 5;
    public const int PACKET_VERSION = 10;
    public const int PACKET_TX_RING = 13;
    public const int PACKET_LOSS = 14;
    public const int TPACKET_V1 = 0;
    public const int TPACKET_V2 = 1;
    public const int TPACKET_V3 = 2;
    public const uint TP_STATUS_KERNEL = 0;
    public const uint TP_STATUS_USER = 1;
    public const uint TP_STATUS_AVAILABLE = 0;
    public const uint TP_STATUS_SEND_REQUEST = 1;
    public const uint TP_STATUS_SENDING = 2;
    public const uint TP_STATUS_WRONG_FORMAT = 4;

    // mmap(2) (asm-generic/mman-common.h).
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;

    // packet(7): every frame read or written is preceded by a struct virtio_net_hdr.
    public const int PACKET_VNET_HDR = 15;

    // sll_pkttype values.
    public const byte PACKET_OUTGOING = 4;

    // tpacket_auxdata.tp_status bits.
    public const uint TP_STATUS_VLAN_VALID = 0x10;
    public const uint TP_STATUS_VLAN_TPID_VALID = 0x40;

    // send/recv flags.
    public const int MSG_CTRUNC = 0x8;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_DONTWAIT = 0x40;

    // open(2) flags.
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    // ioctl requests.
    public const ulong TUNSETIFF = 0x400454ca;

    // linux/if_tun.h: TUNSETOFFLOAD = _IOW('T', 208, unsigned int) and the offloads a reader with IFF_VNET_HDR accepts.
    public const ulong TUNSETOFFLOAD = 0x400454d0;
    public const uint TUN_F_CSUM = 0x01;
    public const uint TUN_F_TSO4 = 0x02;
    public const uint TUN_F_TSO6 = 0x04;
    public const uint TUN_F_TSO_ECN = 0x08;
    public const short IFF_VNET_HDR = 0x4000;
    public const ulong SIOCGIFMTU = 0x8921;
    public const ulong SIOCGIFFLAGS = 0x8913;
    public const ulong SIOCSIFFLAGS = 0x8914;
    public const ulong SIOCGIFHWADDR = 0x8927;
    public const ulong SIOCGIFINDEX = 0x8933;
    public const ulong SIOCSIFTXQLEN = 0x8943;

    // Interface flags (linux/if.h, linux/if_tun.h).
    public const short IFF_UP = 0x1;
    public const short IFF_TAP = 0x0002;
    public const short IFF_NO_PI = 0x1000;

    // errno values (asm-generic/errno-base.h, asm-generic/errno.h).
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int EMSGSIZE = 90;
    public const int ENOPROTOOPT = 92;
    public const int ENOBUFS = 105;

    /// <summary>CMSG_ALIGN: ancillary data items are aligned to sizeof(size_t) = 8 bytes.</summary>
    public static int CmsgAlign(int length) => (length + 7) & ~7;
}
