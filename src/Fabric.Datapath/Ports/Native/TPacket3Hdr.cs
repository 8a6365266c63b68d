using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct tpacket3_hdr</c> (linux/if_packet.h): the header before each frame in a TPACKET_V3 receive block; 48 bytes,
/// followed by the frame's <see cref="SockAddrLl"/>. The frame itself starts <see cref="Mac"/> bytes after this header;
/// with PACKET_VNET_HDR its virtio-net header sits just before it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TPacket3Hdr
{
    /// <summary><c>tp_next_offset</c>: bytes from this header to the next frame's in the same block (0 after the last).</summary>
    public uint NextOffset;

    /// <summary><c>tp_sec</c>: receive time, seconds.</summary>
    public uint Sec;

    /// <summary><c>tp_nsec</c>: receive time, nanoseconds.</summary>
    public uint NSec;

    /// <summary><c>tp_snaplen</c>: bytes of the frame in the ring.</summary>
    public uint SnapLen;

    /// <summary><c>tp_len</c>: the frame's length on the wire (bytes); above <see cref="SnapLen"/> when it was cut.</summary>
    public uint Len;

    /// <summary><c>tp_status</c>: TP_STATUS_* bits of this frame (TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID, …).</summary>
    public uint Status;

    /// <summary><c>tp_mac</c>: offset of the MAC header from this header (bytes).</summary>
    public ushort Mac;

    /// <summary><c>tp_net</c>: offset of the network header from this header (bytes).</summary>
    public ushort Net;

    /// <summary><c>hv1.tp_rxhash</c>.</summary>
    public uint RxHash;

    /// <summary><c>hv1.tp_vlan_tci</c>: the stripped tag's TCI, host byte order.</summary>
    public uint VlanTci;

    /// <summary><c>hv1.tp_vlan_tpid</c>: the stripped tag's TPID, host byte order.</summary>
    public ushort VlanTpid;

    /// <summary><c>hv1.tp_padding</c>.</summary>
    public ushort Padding0;

    /// <summary><c>tp_padding[8]</c>.</summary>
    public ulong Padding1;
}
