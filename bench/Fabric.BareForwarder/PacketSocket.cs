using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Fabric.BareForwarder;

/// <summary>
/// Opens the forwarder's AF_PACKET sockets: blocking SOCK_RAW, bound to one interface for every EtherType, the
/// interface promiscuous while the socket is open, its own transmissions not looped back (PACKET_IGNORE_OUTGOING), and
/// optionally PACKET_VNET_HDR (packet(7)) so that every frame read or written starts with a 10-byte
/// <c>struct virtio_net_hdr</c> and GSO super-frames and partial checksums cross whole.
/// </summary>
internal static class PacketSocket
{
    /// <summary>Opens the socket on <paramref name="ifName"/> and returns its descriptor.</summary>
    /// <param name="ifName">An existing interface in this network namespace.</param>
    /// <param name="vnetHeaders">Set PACKET_VNET_HDR.</param>
    /// <param name="receiveBufferBytes">SO_RCVBUFFORCE in bytes (the kernel doubles it); 0 keeps the kernel default (net.core.rmem_default).</param>
    /// <exception cref="IOException">The interface does not exist or a system call failed; the message names the interface and errno's text.</exception>
    public static int Open(string ifName, bool vnetHeaders, int receiveBufferBytes)
    {
        uint ifIndex = LibC.IfNameToIndex(ifName);
        if (ifIndex == 0)
        {
            throw Failure(ifName, "if_nametoindex");
        }

        // Protocol 0 until bind: no frame of another interface is queued in between.
        int fd = LibC.Socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Failure(ifName, "socket");
        }

        int one = 1;
        if (LibC.SetSockOpt(fd, LibC.SOL_PACKET, LibC.PACKET_IGNORE_OUTGOING, ref one, sizeof(int)) < 0)
        {
            throw Failure(ifName, "PACKET_IGNORE_OUTGOING");
        }

        if (vnetHeaders && LibC.SetSockOpt(fd, LibC.SOL_PACKET, LibC.PACKET_VNET_HDR, ref one, sizeof(int)) < 0)
        {
            throw Failure(ifName, "PACKET_VNET_HDR");
        }

        if (receiveBufferBytes > 0
            && LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, ref receiveBufferBytes, sizeof(int)) < 0)
        {
            throw Failure(ifName, "SO_RCVBUFFORCE");
        }

        var address = new LinkAddress
        {
            Family = LibC.AF_PACKET,
            Protocol = BinaryPrimitives.ReverseEndianness(LibC.ETH_P_ALL),
            IfIndex = (int)ifIndex,
        };
        if (LibC.Bind(fd, ref address, Marshal.SizeOf<LinkAddress>()) < 0)
        {
            throw Failure(ifName, "bind");
        }

        var promiscuous = new PromiscuousRequest { IfIndex = (int)ifIndex, Type = LibC.PACKET_MR_PROMISC };
        if (LibC.SetSockOpt(fd, LibC.SOL_PACKET, LibC.PACKET_ADD_MEMBERSHIP, ref promiscuous, Marshal.SizeOf<PromiscuousRequest>()) < 0)
        {
            throw Failure(ifName, "PACKET_ADD_MEMBERSHIP");
        }

        return fd;
    }

    /// <summary>The socket's SO_RCVBUF or SO_SNDBUF as the kernel reports it (bytes; twice what was set, see socket(7)); -1 on failure.</summary>
    /// <param name="fd">A socket descriptor.</param>
    /// <param name="option"><see cref="LibC.SO_RCVBUF"/> or <see cref="LibC.SO_SNDBUF"/>.</param>
    public static int BufferBytes(int fd, int option)
    {
        int value = 0;
        int length = sizeof(int);
        return LibC.GetSockOpt(fd, LibC.SOL_SOCKET, option, ref value, ref length) == 0 ? value : -1;
    }

    private static IOException Failure(string ifName, string call) =>
        new($"cannot open AF_PACKET on '{ifName}': {call}: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
}
