using System.Runtime.InteropServices;

namespace Fabric.BareForwarder;

/// <summary><c>struct sockaddr_ll</c> (linux/if_packet.h), 20 bytes: what an AF_PACKET socket is bound to.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinkAddress
{
    /// <summary><c>sll_family</c>: AF_PACKET.</summary>
    public ushort Family;

    /// <summary><c>sll_protocol</c>: the EtherType received, in network byte order.</summary>
    public ushort Protocol;

    /// <summary><c>sll_ifindex</c>: the interface.</summary>
    public int IfIndex;

    /// <summary><c>sll_hatype</c>, <c>sll_pkttype</c>, <c>sll_halen</c>: unused for bind (0).</summary>
    public uint Unused;

    /// <summary><c>sll_addr</c> (8 bytes): unused for bind.</summary>
    public ulong Address;
}
