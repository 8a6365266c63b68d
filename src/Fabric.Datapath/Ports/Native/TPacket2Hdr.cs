using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct tpacket2_hdr</c> (linux/if_packet.h): the header of each frame slot of a TPACKET_V2 ring; 32 bytes. In a
/// transmit ring the frame to send starts right after it (TPACKET2_HDRLEN − sizeof(sockaddr_ll) = 32 bytes from the
/// slot start), preceded by its virtio-net header when the socket has PACKET_VNET_HDR.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TPacket2Hdr
{
    /// <summary><c>tp_status</c>: on transmit TP_STATUS_AVAILABLE (0), _SEND_REQUEST (1), _SENDING (2), _WRONG_FORMAT (4).</summary>
    public uint Status;

    /// <summary><c>tp_len</c>: bytes to send, the virtio-net header included.</summary>
    public uint Len;

    /// <summary><c>tp_snaplen</c>.</summary>
    public uint SnapLen;

    /// <summary><c>tp_mac</c>.</summary>
    public ushort Mac;

    /// <summary><c>tp_net</c>.</summary>
    public ushort Net;

    /// <summary><c>tp_sec</c>.</summary>
    public uint Sec;

    /// <summary><c>tp_nsec</c>.</summary>
    public uint NSec;

    /// <summary><c>tp_vlan_tci</c>.</summary>
    public ushort VlanTci;

    /// <summary><c>tp_vlan_tpid</c>.</summary>
    public ushort VlanTpid;

    /// <summary><c>tp_padding[4]</c>.</summary>
    public uint Padding;
}
