using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct sockaddr_ll</c> (linux/if_packet.h): the link-layer address of an AF_PACKET socket, 20 bytes
/// on Linux x86-64.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SockAddrLl
{
    /// <summary><c>sll_family</c>: always AF_PACKET.</summary>
    public ushort Family;

    /// <summary><c>sll_protocol</c>: EtherType in network byte order.</summary>
    public ushort Protocol;

    /// <summary><c>sll_ifindex</c>: interface index.</summary>
    public int IfIndex;

    /// <summary><c>sll_hatype</c>: ARP hardware type.</summary>
    public ushort HaType;

    /// <summary><c>sll_pkttype</c>: PACKET_HOST, PACKET_BROADCAST, …, PACKET_OUTGOING.</summary>
    public byte PktType;

    /// <summary><c>sll_halen</c>: length of <see cref="Addr"/> in use (bytes).</summary>
    public byte HaLen;

    /// <summary><c>sll_addr</c>: physical-layer address.</summary>
    public fixed byte Addr[8];
}
