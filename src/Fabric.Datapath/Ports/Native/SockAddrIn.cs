using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct sockaddr_in</c> (netinet/in.h): an IPv4 socket address, 16 bytes; port and address in network order.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct SockAddrIn
{
    /// <summary><c>sin_family</c>: AF_INET.</summary>
    public ushort Family;

    /// <summary><c>sin_port</c>: UDP port, network byte order.</summary>
    public ushort PortNetworkOrder;

    /// <summary><c>sin_addr</c>: IPv4 address as it lies in memory (network byte order).</summary>
    public uint AddressNetworkOrder;

    /// <summary>The UDP port in host order.</summary>
    public readonly int Port => BinaryPrimitives.ReverseEndianness(PortNetworkOrder);

    /// <summary>The address in host order (10.0.0.1 = 0x0a000001), the form <see cref="Flows.FlowFormatter.FormatIpv4"/> prints.</summary>
    public readonly uint Address => BinaryPrimitives.ReverseEndianness(AddressNetworkOrder);

    /// <summary>An AF_INET address for <paramref name="address"/> (host order) and <paramref name="port"/>.</summary>
    public static SockAddrIn Of(uint address, int port) => new()
    {
        Family = LinuxConstants.AF_INET,
        PortNetworkOrder = BinaryPrimitives.ReverseEndianness((ushort)port),
        AddressNetworkOrder = BinaryPrimitives.ReverseEndianness(address),
    };
}
