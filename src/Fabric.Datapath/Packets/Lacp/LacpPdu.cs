using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Fabric.Datapath.Packets.Lacp;

/// <summary>
/// Wire format of the Link Aggregation Control Protocol data unit (IEEE 802.1AX-2008 §5.4.2, Figure 5-8), as OVS
/// <c>lib/lacp.c</c> composes and parses it (<c>compose_lacp_pdu</c>, <c>parse_lacp_packet</c>).
/// </summary>
/// <remarks>
/// Frame layout, byte offsets from the start of the untagged Ethernet frame (124 bytes in all, no FCS):
/// <code>
///   0  dst MAC 01:80:c2:00:00:02 (6)     6  src MAC (6)           12  EtherType 0x8809 (2)
///  14  subtype = 1                      15  version = 1
///  16  TLV type 1 (actor)               17  length 20
///  18  actor system priority (2)        20  actor system (6)      26  actor key (2)
///  28  actor port priority (2)          30  actor port (2)        32  actor state (1)   33  reserved (3)
///  36  TLV type 2 (partner)             37  length 20
///  38  partner system priority (2)      40  partner system (6)    46  partner key (2)
///  48  partner port priority (2)        50  partner port (2)      52  partner state (1) 53  reserved (3)
///  56  TLV type 3 (collector)           57  length 16             58  collector max delay (2, tens of µs; OVS sends 0)
///  60  reserved (12)
///  72  TLV type 0 (terminator)          73  length 0              74  reserved (50)
/// </code>
/// All multi-byte fields are big-endian. Parsing is span-based, allocation-free and never throws for bad input.
/// </remarks>
public static class LacpPdu
{
    /// <summary>Slow-protocols multicast destination 01:80:c2:00:00:02 (48 bits, network order; 802.1AX Annex B).</summary>
    public const ulong DestinationMac = 0x0180c2000002UL;

    /// <summary>Slow-protocols EtherType (IEEE 802.3 Annex 57A).</summary>
    public const ushort EtherType = 0x8809;

    /// <summary>Slow-protocol subtype of LACP (802.1AX-2008 §5.4.2.2 item b).</summary>
    public const byte SubtypeLacp = 1;

    /// <summary>Slow-protocol subtype of the Marker protocol (802.1AX-2008 §5.5.3.2).</summary>
    public const byte SubtypeMarker = 2;

    /// <summary>LACP version number sent (802.1AX-2008 §5.4.2.2 item c). Not checked on receive, as in OVS.</summary>
    public const byte Version = 1;

    /// <summary>PDU length in bytes after the 14-byte Ethernet header (OVS <c>LACP_PDU_LEN</c>).</summary>
    public const int PduLength = 110;

    /// <summary>Length of the Ethernet header in bytes (untagged).</summary>
    public const int EthHeaderLength = 14;

    /// <summary>Length in bytes of a complete LACP frame: <see cref="EthHeaderLength"/> + <see cref="PduLength"/>.</summary>
    public const int FrameLength = EthHeaderLength + PduLength;

    /// <summary>TLV type of the actor information TLV.</summary>
    public const byte TlvActor = 1;

    /// <summary>TLV type of the partner information TLV.</summary>
    public const byte TlvPartner = 2;

    /// <summary>TLV type of the collector information TLV.</summary>
    public const byte TlvCollector = 3;

    /// <summary>TLV type of the terminator TLV.</summary>
    public const byte TlvTerminator = 0;

    /// <summary>Length byte of the actor and partner information TLVs (type + length + 15 info + 3 reserved).</summary>
    public const byte InfoTlvLength = 20;

    /// <summary>Length byte of the collector information TLV (type + length + delay + 12 reserved).</summary>
    public const byte CollectorTlvLength = 16;

    /// <summary>Offset of the subtype byte in the frame.</summary>
    public const int SubtypeOffset = 14;

    /// <summary>Offset of the actor TLV's type byte in the frame.</summary>
    public const int ActorTlvOffset = 16;

    /// <summary>Offset of the partner TLV's type byte in the frame.</summary>
    public const int PartnerTlvOffset = 36;

    /// <summary>Offset of the collector TLV's type byte in the frame.</summary>
    public const int CollectorTlvOffset = 56;

    /// <summary>Offset of the terminator TLV's type byte in the frame.</summary>
    public const int TerminatorTlvOffset = 72;

    /// <summary>
    /// Classifies and parses a whole untagged Ethernet <paramref name="frame"/> (FCS not included). Returns
    /// <see cref="LacpParseResult.NotSlowProtocol"/> unless the destination is <see cref="DestinationMac"/> and the
    /// EtherType is <see cref="EtherType"/>; then, as OVS <c>parse_lacp_packet</c>, requires at least
    /// <see cref="PduLength"/> bytes after the header and returns <see cref="LacpParseResult.Lacp"/> (subtype 1 with
    /// actor TLV 1/20 and partner TLV 2/20; the outputs are filled), <see cref="LacpParseResult.Marker"/> (subtype 2)
    /// or <see cref="LacpParseResult.Malformed"/> (anything else, including a frame shorter than the Ethernet
    /// header). Outputs are <c>default</c> unless the result is <see cref="LacpParseResult.Lacp"/>. Trailing bytes
    /// (padding) after the 110-byte PDU are ignored; the version, collector and terminator TLVs are not checked.
    /// </summary>
    public static LacpParseResult TryParse(ReadOnlySpan<byte> frame, out LacpInfo actor, out LacpInfo partner)
    {
        actor = default;
        partner = default;
        if (frame.Length < EthHeaderLength)
        {
            return LacpParseResult.Malformed;
        }

        if (ReadMac(frame) != DestinationMac || BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12)) != EtherType)
        {
            return LacpParseResult.NotSlowProtocol;
        }

        if (frame.Length < FrameLength)
        {
            return LacpParseResult.Malformed;
        }

        byte subtype = frame[SubtypeOffset];
        if (subtype == SubtypeMarker)
        {
            return LacpParseResult.Marker;
        }

        if (subtype != SubtypeLacp
            || frame[ActorTlvOffset] != TlvActor || frame[ActorTlvOffset + 1] != InfoTlvLength
            || frame[PartnerTlvOffset] != TlvPartner || frame[PartnerTlvOffset + 1] != InfoTlvLength)
        {
            return LacpParseResult.Malformed;
        }

        actor = ReadInfo(frame.Slice(ActorTlvOffset + 2));
        partner = ReadInfo(frame.Slice(PartnerTlvOffset + 2));
        return LacpParseResult.Lacp;
    }

    /// <summary>
    /// Writes a complete 124-byte LACP frame into <paramref name="destination"/>: Ethernet header (dst
    /// <see cref="DestinationMac"/>, src <paramref name="sourceMac"/> — 48 bits, network order — EtherType 0x8809),
    /// subtype 1, version 1, the <paramref name="actor"/> and <paramref name="partner"/> TLVs, a collector TLV with
    /// max delay 0 and a terminator, zero elsewhere (OVS <c>compose_lacp_pdu</c>). Returns
    /// <see cref="FrameLength"/>. Bytes of <paramref name="destination"/> past the frame are left untouched.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="FrameLength"/>.</exception>
    public static int Compose(Span<byte> destination, ulong sourceMac, in LacpInfo actor, in LacpInfo partner)
    {
        if (destination.Length < FrameLength)
        {
            ThrowTooShort();
        }

        Span<byte> f = destination.Slice(0, FrameLength);
        f.Clear();
        WriteMac(f, DestinationMac);
        WriteMac(f.Slice(6), sourceMac);
        BinaryPrimitives.WriteUInt16BigEndian(f.Slice(12), EtherType);
        f[SubtypeOffset] = SubtypeLacp;
        f[SubtypeOffset + 1] = Version;
        f[ActorTlvOffset] = TlvActor;
        f[ActorTlvOffset + 1] = InfoTlvLength;
        WriteInfo(f.Slice(ActorTlvOffset + 2), actor);
        f[PartnerTlvOffset] = TlvPartner;
        f[PartnerTlvOffset + 1] = InfoTlvLength;
        WriteInfo(f.Slice(PartnerTlvOffset + 2), partner);
        f[CollectorTlvOffset] = TlvCollector;
        f[CollectorTlvOffset + 1] = CollectorTlvLength;

        // Collector max delay (offset 58) stays 0, as OVS sends; the terminator TLV (type 0, length 0) and the
        // reserved tail are the zeros written by Clear().
        return FrameLength;
    }

    private static LacpInfo ReadInfo(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt16BigEndian(b),
        ReadMac(b.Slice(2)),
        BinaryPrimitives.ReadUInt16BigEndian(b.Slice(8)),
        BinaryPrimitives.ReadUInt16BigEndian(b.Slice(10)),
        BinaryPrimitives.ReadUInt16BigEndian(b.Slice(12)),
        (LacpStateFlags)b[14]);

    private static void WriteInfo(Span<byte> b, in LacpInfo info)
    {
        BinaryPrimitives.WriteUInt16BigEndian(b, info.SystemPriority);
        WriteMac(b.Slice(2), info.SystemId);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(8), info.Key);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(10), info.PortPriority);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(12), info.PortId);
        b[14] = (byte)info.State;
    }

    private static ulong ReadMac(ReadOnlySpan<byte> b) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(b) << 32) | BinaryPrimitives.ReadUInt32BigEndian(b.Slice(2));

    private static void WriteMac(Span<byte> b, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(2), (uint)mac);
    }

    [DoesNotReturn]
    private static void ThrowTooShort() =>
        throw new ArgumentException($"An LACP frame needs {FrameLength} bytes.", "destination");
}
