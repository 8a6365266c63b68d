using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct packet_mreq</c> (linux/if_packet.h) for PACKET_ADD_MEMBERSHIP, 16 bytes on Linux x86-64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PacketMreq
{
    /// <summary><c>mr_ifindex</c>: interface index.</summary>
    public int IfIndex;

    /// <summary><c>mr_type</c>: PACKET_MR_PROMISC, PACKET_MR_MULTICAST, ….</summary>
    public ushort Type;

    /// <summary><c>mr_alen</c>: address length (bytes).</summary>
    public ushort ALen;

    /// <summary><c>mr_address</c>: physical-layer address.</summary>
    public fixed byte Address[8];
}
