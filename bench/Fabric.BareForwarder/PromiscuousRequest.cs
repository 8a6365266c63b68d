using System.Runtime.InteropServices;

namespace Fabric.BareForwarder;

/// <summary><c>struct packet_mreq</c> (linux/if_packet.h), 16 bytes, for PACKET_ADD_MEMBERSHIP with PACKET_MR_PROMISC.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PromiscuousRequest
{
    /// <summary><c>mr_ifindex</c>: the interface.</summary>
    public int IfIndex;

    /// <summary><c>mr_type</c>: PACKET_MR_PROMISC.</summary>
    public ushort Type;

    /// <summary><c>mr_alen</c>: 0 (no address).</summary>
    public ushort AddressLength;

    /// <summary><c>mr_address</c> (8 bytes): unused.</summary>
    public ulong Address;
}
