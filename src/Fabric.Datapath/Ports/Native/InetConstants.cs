namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// Linux constants for IPv4 UDP sockets (linux/in.h) used by the VXLAN
/// endpoint; the AF_INET and SOCK_DGRAM values are in <see cref="LinuxConstants"/>.
/// </summary>
internal static class InetConstants
{
    // Protocols and option levels (linux/in.h).
    public const int IPPROTO_IP = 0;
    public const int IPPROTO_UDP = 17;

    // IPPROTO_IP options (linux/in.h): the TTL of sent packets and path-MTU discovery.
    public const int IP_TTL = 2;
    public const int IP_MTU_DISCOVER = 10;

    /// <summary>IP_PMTUDISC_DONT: never set DF; datagrams larger than the path MTU are fragmented.</summary>
    public const int IP_PMTUDISC_DONT = 0;
}
