namespace Fabric.Datapath.Packets.Lacp;

/// <summary>
/// What <see cref="LacpPdu.TryParse"/> found in a frame. Mirrors OVS <c>lib/lacp.c:parse_lacp_packet</c>, which
/// sorts slow-protocol frames into LACP (subtype 1), marker (subtype 2) and unusable ("bad") PDUs.
/// </summary>
public enum LacpParseResult
{
    /// <summary>A well-formed LACPDU (subtype 1, actor TLV type 1 length 20, partner TLV type 2 length 20, ≥110 bytes).</summary>
    Lacp,

    /// <summary>A Marker protocol PDU (subtype 2, ≥110 bytes). OVS counts it and otherwise ignores it.</summary>
    Marker,

    /// <summary>A slow-protocol frame that is neither of the above: truncated, another subtype, or bad TLV headers.
    /// OVS counts it as an RX bad PDU (<c>dot3adAggPortStatsIllegalRx</c>).</summary>
    Malformed,

    /// <summary>Not addressed to 01:80:c2:00:00:02 with EtherType 0x8809 (untagged): not for LACP at all.</summary>
    NotSlowProtocol,
}
