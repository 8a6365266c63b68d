using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct tpacket_auxdata</c> (linux/if_packet.h), delivered as a SOL_PACKET/PACKET_AUXDATA control
/// message with each frame; 20 bytes on Linux x86-64. Carries the VLAN tag the NIC or driver stripped.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TPacketAuxData
{
    /// <summary><c>tp_status</c>: TP_STATUS_* bits (TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID).</summary>
    public uint Status;

    /// <summary><c>tp_len</c>: original frame length (bytes).</summary>
    public uint Len;

    /// <summary><c>tp_snaplen</c>: captured length (bytes).</summary>
    public uint SnapLen;

    /// <summary><c>tp_mac</c>: offset of the MAC header.</summary>
    public ushort Mac;

    /// <summary><c>tp_net</c>: offset of the network header.</summary>
    public ushort Net;

    /// <summary><c>tp_vlan_tci</c>: the stripped tag's TCI (PCP, DEI, VID), host byte order.</summary>
    public ushort VlanTci;

    /// <summary><c>tp_vlan_tpid</c>: the stripped tag's TPID (0x8100, 0x88a8), host byte order.</summary>
    public ushort VlanTpid;
}
