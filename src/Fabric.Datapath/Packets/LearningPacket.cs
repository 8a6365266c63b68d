using System.Buffers.Binary;

namespace Fabric.Datapath.Packets;

/// <summary>
/// The gratuitous learning frame a bond sends on failover for every MAC learned elsewhere on the bridge, so the
/// physical switches re-learn where that address now lives (ovs-facts §1.7; OVS
/// <c>ofproto/bond.c:bond_compose_learning_packet</c>, <c>lib/packets.c:compose_rarp</c>,
/// <c>lib/packets.c:eth_push_vlan</c>).
/// </summary>
/// <remarks>
/// Frame layout, untagged (<see cref="UntaggedLength"/> = 60 bytes):
/// <c>ff:ff:ff:ff:ff:ff | mac | 0x8035 | htype 1 | ptype 0x0800 | hlen 6 | plen 4 | op 3 | sha = mac | spa 0.0.0.0 |
/// tha = mac | tpa 0.0.0.0 | 18 zero bytes</c> (14-byte Ethernet header + 28-byte RARP body + padding).
/// Tagged (<see cref="TaggedLength"/> = 64 bytes): the same frame with the 4-byte 802.1Q tag
/// <c>0x8100 | vid</c> inserted after the source MAC, as if the 60-byte frame had had a tag pushed.
/// OVS itself emits 42/46 bytes and leaves the padding to the NIC; Fabric pads to the Ethernet minimum
/// so that in-memory and TAP ports see a valid minimum-size frame.
/// </remarks>
public static class LearningPacket
{
    /// <summary>Length in bytes of the untagged frame (the Ethernet minimum without FCS).</summary>
    public const int UntaggedLength = 60;

    /// <summary>Length in bytes of the 802.1Q-tagged frame (the untagged frame plus the 4-byte tag).</summary>
    public const int TaggedLength = UntaggedLength + 4;

    /// <summary>RARP opcode "reverse request" (OVS <c>ARP_OP_RARP</c>).</summary>
    public const ushort RarpOpcode = 3;

    private const ulong Broadcast = 0xffff_ffff_ffffUL;

    /// <summary>
    /// Writes the RARP learning frame for <paramref name="mac"/> into <paramref name="destination"/> (OVS
    /// <c>lib/packets.c:compose_rarp</c>, then <c>eth_push_vlan</c> with TPID 0x8100 when
    /// <paramref name="vlan"/> is not 0). Bytes past the returned length are left untouched.
    /// </summary>
    /// <param name="destination">Buffer of at least <see cref="UntaggedLength"/> bytes (untagged) or
    /// <see cref="TaggedLength"/> bytes (tagged).</param>
    /// <param name="mac">The learned address: Ethernet source, ARP sender and target hardware address (48 bits,
    /// network order in the low bits; higher bits ignored).</param>
    /// <param name="vlan">VLAN id 0..4095 of the MAC-table entry; 0 = untagged, otherwise the tag's TCI is the
    /// VID with priority 0 (OVS clears the CFI bit and sends the entry's VLAN as the TCI).</param>
    /// <returns>The frame length: <see cref="UntaggedLength"/> or <see cref="TaggedLength"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vlan"/> is outside 0..4095.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small for the frame.</exception>
    public static int ComposeRarp(Span<byte> destination, ulong mac, int vlan)
    {
        if ((uint)vlan > 0xfff)
        {
            throw new ArgumentOutOfRangeException(nameof(vlan), vlan, "a VLAN id is 0..4095");
        }

        int length = vlan != 0 ? TaggedLength : UntaggedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException(
                $"a RARP learning frame needs {length} bytes, the buffer has {destination.Length}", nameof(destination));
        }

        Span<byte> frame = destination.Slice(0, length);
        frame.Clear();
        WriteMac(frame, Broadcast);
        WriteMac(frame.Slice(6), mac);
        int off = 12;
        if (vlan != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(off), PacketParser.TpidVlan);
            BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(off + 2), (ushort)vlan);
            off += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(off), PacketParser.EthTypeRarp);
        Span<byte> arp = frame.Slice(off + 2);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1); // hardware type: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp.Slice(2), PacketParser.EthTypeIpv4); // protocol type
        arp[4] = 6; // hardware address length
        arp[5] = 4; // protocol address length
        BinaryPrimitives.WriteUInt16BigEndian(arp.Slice(6), RarpOpcode);
        WriteMac(arp.Slice(8), mac); // sender hardware address; sender IP (14..17) stays 0.0.0.0
        WriteMac(arp.Slice(18), mac); // target hardware address; target IP (24..27) stays 0.0.0.0
        return length;
    }

    private static void WriteMac(Span<byte> destination, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(2), (uint)mac);
    }
}
