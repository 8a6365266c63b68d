namespace Fabric.Datapath.Packets.Lacp;

/// <summary>
/// The body of an LACPDU actor or partner information TLV (IEEE 802.1AX-2008 §5.4.2.2; OVS <c>lib/lacp.c</c>
/// <c>struct lacp_info</c>, 15 bytes on the wire). All numeric fields are host-order values of the big-endian
/// wire fields. Value equality compares every field, as OVS's <c>memcmp</c> of two <c>lacp_info</c>s does.
/// </summary>
/// <param name="SystemPriority">System priority, 0..65535; lower is better.</param>
/// <param name="SystemId">System MAC address: 48 bits in the low bits of the <see cref="ulong"/>, network order (the
/// first wire byte is bits 47..40).</param>
/// <param name="Key">Operational aggregation key.</param>
/// <param name="PortPriority">Port priority, 0..65535; lower is better.</param>
/// <param name="PortId">Port number.</param>
/// <param name="State">State octet.</param>
public readonly record struct LacpInfo(
    ushort SystemPriority,
    ulong SystemId,
    ushort Key,
    ushort PortPriority,
    ushort PortId,
    LacpStateFlags State);
