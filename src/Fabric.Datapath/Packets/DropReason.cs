namespace Fabric.Datapath.Packets;

/// <summary>
/// Why the parser refused a frame. Malformed frames are counted per reason (<see cref="ParseDropCounters"/>)
/// and dropped; they never reach the megaflow lookup.
/// </summary>
public enum DropReason : byte
{
    /// <summary>The frame parsed; nothing was dropped.</summary>
    None,

    /// <summary>Shorter than an Ethernet header (14 bytes).</summary>
    TooShort,

    /// <summary>An 802.1Q/802.1ad TPID was not followed by a complete 4-byte tag.</summary>
    TruncatedVlan,

    /// <summary>ARP/RARP payload shorter than the 28-byte Ethernet/IPv4 ARP body.</summary>
    TruncatedArp,

    /// <summary>IPv4 header or datagram (total length) longer than the bytes present.</summary>
    TruncatedIpv4,

    /// <summary>IPv4 version is not 4, IHL &lt; 5, or total length shorter than the header.</summary>
    BadIpv4Header,

    /// <summary>IPv6 fixed header (40 bytes) or payload length longer than the bytes present.</summary>
    TruncatedIpv6,

    /// <summary>IPv6 version field is not 6.</summary>
    BadIpv6Header,

    /// <summary>An IPv6 extension header (hop-by-hop, routing, fragment, destination options, AH) is cut short.</summary>
    TruncatedIpv6ExtHeader,

    /// <summary>TCP header shorter than 20 bytes or than its data offset says.</summary>
    TruncatedTcp,

    /// <summary>TCP data offset below 5 (a header shorter than 20 bytes).</summary>
    BadTcpHeader,

    /// <summary>UDP header shorter than 8 bytes.</summary>
    TruncatedUdp,

    /// <summary>SCTP common header shorter than 12 bytes.</summary>
    TruncatedSctp,

    /// <summary>ICMP header shorter than 8 bytes (OVS ICMP_HEADER_LEN).</summary>
    TruncatedIcmp,

    /// <summary>ICMPv6 header shorter than 4 bytes.</summary>
    TruncatedIcmpv6,

    /// <summary>A VXLAN datagram shorter than the 8-byte VXLAN header (RFC 7348 §5).</summary>
    VxlanTruncated,

    /// <summary>A VXLAN header without the I flag (0x08), so its VNI is not valid (RFC 7348 §5).</summary>
    VxlanNoVniFlag,

    /// <summary>A VXLAN datagram whose inner frame is shorter than an Ethernet header (14 bytes).</summary>
    VxlanInnerTooShort,

    /// <summary>A VXLAN datagram from an outer source address that no tunnel of the endpoint has as its remote VTEP.</summary>
    VxlanUnknownRemote,

    /// <summary>A VXLAN datagram from a known remote VTEP with a VNI none of that remote's tunnels has.</summary>
    VxlanUnknownVni,

    /// <summary>A VXLAN datagram for a tunnel that is disabled (<c>Enabled = false</c>: it carries nothing).</summary>
    VxlanTunnelDown,

    /// <summary>A VXLAN datagram whose inner frame is longer than a packet slot.</summary>
    VxlanInnerTooLong,
}
