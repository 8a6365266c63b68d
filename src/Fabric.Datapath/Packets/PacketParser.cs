using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Packets;

/// <summary>
/// Extracts a <see cref="FlowKey"/> from an Ethernet frame, following OVS's <c>flow_extract</c>
/// (<c>lib/flow.c</c>): Ethernet II and 802.3 LLC/SNAP, up to two VLAN tags (802.1Q 0x8100 and 802.1ad 0x88a8),
/// ARP/RARP, IPv4 (options, fragments: non-first fragments carry no L4 fields), IPv6 (hop-by-hop, routing,
/// fragment, destination-options and AH extension headers), TCP, UDP, SCTP, ICMP and ICMPv6 (with neighbour
/// discovery link-layer addresses in arp_sha/arp_tha, as OVS).
/// </summary>
/// <remarks>
/// Zero allocation, no exceptions: a malformed frame yields a <see cref="DropReason"/> other than
/// <see cref="DropReason.None"/> and the caller counts and drops it. Ethernet padding after an IP datagram's
/// total length is ignored. Unknown EtherTypes are not errors: their key carries only the L2 fields.
/// </remarks>
public static class PacketParser
{
    /// <summary>EtherType of IPv4.</summary>
    public const ushort EthTypeIpv4 = 0x0800;

    /// <summary>EtherType of ARP.</summary>
    public const ushort EthTypeArp = 0x0806;

    /// <summary>EtherType of RARP.</summary>
    public const ushort EthTypeRarp = 0x8035;

    /// <summary>EtherType of IPv6.</summary>
    public const ushort EthTypeIpv6 = 0x86dd;

    /// <summary>TPID of an 802.1Q customer VLAN tag.</summary>
    public const ushort TpidVlan = 0x8100;

    /// <summary>TPID of an 802.1ad service (QinQ outer) tag.</summary>
    public const ushort TpidQinQ = 0x88a8;

    /// <summary>dl_type OVS gives 802.3 frames without a SNAP header (FLOW_DL_TYPE_NONE).</summary>
    public const ushort DlTypeNone = 0x05ff;

    /// <summary>Ethernet header length in bytes (two MACs and the EtherType).</summary>
    public const int EthHeaderLength = 14;

    private const byte ProtoIcmp = 1;
    private const byte ProtoTcp = 6;
    private const byte ProtoUdp = 17;
    private const byte ProtoIcmpv6 = 58;
    private const byte ProtoSctp = 132;

    /// <summary>
    /// Parses <paramref name="frame"/> received on <paramref name="inPort"/>. On success returns
    /// <see cref="DropReason.None"/> with the key in <paramref name="key"/> and the TCP flags (12 bits, 0 for
    /// non-TCP) in <paramref name="tcpFlags"/>; otherwise returns the reason, and the outputs are default.
    /// </summary>
    [SkipLocalsInit]
    public static DropReason Parse(ReadOnlySpan<byte> frame, ushort inPort, out FlowKey key, out ushort tcpFlags)
    {
        key = default;
        tcpFlags = 0;
        if (frame.Length < EthHeaderLength)
        {
            return DropReason.TooShort;
        }

        ulong dlDst = FlowKey.ReadMac(frame);
        ulong dlSrc = FlowKey.ReadMac(frame.Slice(6));
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12));
        int off = EthHeaderLength;
        ushort tci1 = 0, tci2 = 0;
        if (IsVlanTpid(type))
        {
            if (frame.Length < off + 4)
            {
                return DropReason.TruncatedVlan;
            }

            tci1 = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(off)) | FlowKey.VlanPresent);
            type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(off + 2));
            off += 4;
            if (IsVlanTpid(type))
            {
                if (frame.Length < off + 4)
                {
                    return DropReason.TruncatedVlan;
                }

                tci2 = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(off)) | FlowKey.VlanPresent);
                type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(off + 2));
                off += 4;
            }
        }

        if (type < 0x600)
        {
            // 802.3 length field: only LLC + SNAP with OUI 0 carries an EtherType (OVS parse_ethertype).
            type = DlTypeNone;
            ReadOnlySpan<byte> llc = frame.Slice(off);
            if (llc.Length >= 8 && llc[0] == 0xaa && llc[1] == 0xaa && llc[2] == 0x03 &&
                llc[3] == 0 && llc[4] == 0 && llc[5] == 0)
            {
                ushort snapType = BinaryPrimitives.ReadUInt16BigEndian(llc.Slice(6));
                if (snapType >= 0x600)
                {
                    type = snapType;
                    off += 8;
                }
            }
        }

        ulong w0 = inPort | ((ulong)type << 16) | ((ulong)tci1 << 32) | ((ulong)tci2 << 48);
        ReadOnlySpan<byte> l3 = frame.Slice(off);
        ulong w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0, w8 = 0, w9 = 0;
        DropReason reason = DropReason.None;
        switch (type)
        {
            case EthTypeIpv4:
                reason = ParseIpv4(l3, out w3, out w5, out w7, out tcpFlags);
                break;
            case EthTypeIpv6:
                reason = ParseIpv6(l3, out w3, out w4, out w5, out w6, out w7, out w8, out w9, out tcpFlags);
                break;
            case EthTypeArp:
            case EthTypeRarp:
                reason = ParseArp(l3, out w3, out w5, out w7, out w8, out w9);
                break;
        }

        if (reason != DropReason.None)
        {
            tcpFlags = 0;
            return reason;
        }

        key = new FlowKey(w0, dlSrc, dlDst, w3, w4, w5, w6, w7, w8, w9);
        return DropReason.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsVlanTpid(ushort type) => type == TpidVlan || type == TpidQinQ;

    private static DropReason ParseArp(ReadOnlySpan<byte> l3, out ulong w3, out ulong w5, out ulong w7, out ulong w8, out ulong w9)
    {
        w3 = w5 = w7 = w8 = w9 = 0;
        if (l3.Length < 28)
        {
            return DropReason.TruncatedArp;
        }

        ushort htype = BinaryPrimitives.ReadUInt16BigEndian(l3);
        ushort ptype = BinaryPrimitives.ReadUInt16BigEndian(l3.Slice(2));
        if (htype != 1 || ptype != EthTypeIpv4 || l3[4] != 6 || l3[5] != 4)
        {
            // Not Ethernet/IPv4 ARP: OVS leaves the ARP fields zero; not an error.
            return DropReason.None;
        }

        ushort op = BinaryPrimitives.ReadUInt16BigEndian(l3.Slice(6));
        if (op <= 0xff)
        {
            // OVS matches only the low 8 bits of the opcode, stored in nw_proto.
            w3 = op;
        }

        w8 = FlowKey.ReadMac(l3.Slice(8));
        w5 = BinaryPrimitives.ReadUInt32BigEndian(l3.Slice(14));
        w9 = FlowKey.ReadMac(l3.Slice(18));
        w7 = BinaryPrimitives.ReadUInt32BigEndian(l3.Slice(24));
        return DropReason.None;
    }

    private static DropReason ParseIpv4(ReadOnlySpan<byte> l3, out ulong w3, out ulong w5, out ulong w7, out ushort tcpFlags)
    {
        w3 = w5 = w7 = 0;
        tcpFlags = 0;
        if (l3.Length < 20)
        {
            return DropReason.TruncatedIpv4;
        }

        byte vihl = l3[0];
        int ihl = (vihl & 0xf) * 4;
        if ((vihl >> 4) != 4 || ihl < 20)
        {
            return DropReason.BadIpv4Header;
        }

        if (l3.Length < ihl)
        {
            return DropReason.TruncatedIpv4;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(l3.Slice(2));
        if (totalLength < ihl)
        {
            return DropReason.BadIpv4Header;
        }

        if (totalLength > l3.Length)
        {
            return DropReason.TruncatedIpv4;
        }

        byte tos = l3[1];
        ushort fragOff = BinaryPrimitives.ReadUInt16BigEndian(l3.Slice(6));
        byte ttl = l3[8];
        byte proto = l3[9];
        w5 = BinaryPrimitives.ReadUInt32BigEndian(l3.Slice(12));
        w7 = BinaryPrimitives.ReadUInt32BigEndian(l3.Slice(16));
        byte frag = FlowKey.FragNo;
        if ((fragOff & 0x3fff) != 0)
        {
            // MF set or a non-zero offset: a fragment; a non-zero offset makes it a later fragment.
            frag = (fragOff & 0x1fff) != 0 ? FlowKey.FragLater : FlowKey.FragFirst;
        }

        ulong l4Word = 0;
        if (frag != FlowKey.FragLater)
        {
            DropReason r = ParseL4(proto, l3.Slice(ihl, totalLength - ihl), ipv6: false, out l4Word, out _, out _, out tcpFlags);
            if (r != DropReason.None)
            {
                return r;
            }
        }

        w3 = proto | ((ulong)tos << 8) | ((ulong)ttl << 16) | ((ulong)frag << 24) | l4Word;
        return DropReason.None;
    }

    private static DropReason ParseIpv6(
        ReadOnlySpan<byte> l3,
        out ulong w3,
        out ulong w4,
        out ulong w5,
        out ulong w6,
        out ulong w7,
        out ulong w8,
        out ulong w9,
        out ushort tcpFlags)
    {
        w3 = w4 = w5 = w6 = w7 = w8 = w9 = 0;
        tcpFlags = 0;
        if (l3.Length < 40)
        {
            return DropReason.TruncatedIpv6;
        }

        uint vtcfl = BinaryPrimitives.ReadUInt32BigEndian(l3);
        if ((vtcfl >> 28) != 6)
        {
            return DropReason.BadIpv6Header;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(l3.Slice(4));
        if (40 + payloadLength > l3.Length)
        {
            return DropReason.TruncatedIpv6;
        }

        byte tclass = (byte)(vtcfl >> 20);
        byte next = l3[6];
        byte hopLimit = l3[7];
        w4 = BinaryPrimitives.ReadUInt64BigEndian(l3.Slice(8));
        w5 = BinaryPrimitives.ReadUInt64BigEndian(l3.Slice(16));
        w6 = BinaryPrimitives.ReadUInt64BigEndian(l3.Slice(24));
        w7 = BinaryPrimitives.ReadUInt64BigEndian(l3.Slice(32));
        ReadOnlySpan<byte> rest = l3.Slice(40, payloadLength);
        byte frag = FlowKey.FragNo;

        // Walk the extension-header chain; every step consumes at least 8 bytes, so the loop terminates.
        while (true)
        {
            if (next == 0 || next == 43 || next == 60)
            {
                // Hop-by-hop, routing, destination options: length in 8-byte units, not counting the first 8.
                if (rest.Length < 8)
                {
                    return DropReason.TruncatedIpv6ExtHeader;
                }

                int len = (rest[1] + 1) * 8;
                if (rest.Length < len)
                {
                    return DropReason.TruncatedIpv6ExtHeader;
                }

                next = rest[0];
                rest = rest.Slice(len);
            }
            else if (next == 51)
            {
                // Authentication header: length in 4-byte units, minus 2.
                if (rest.Length < 8)
                {
                    return DropReason.TruncatedIpv6ExtHeader;
                }

                int len = (rest[1] + 2) * 4;
                if (rest.Length < len)
                {
                    return DropReason.TruncatedIpv6ExtHeader;
                }

                next = rest[0];
                rest = rest.Slice(len);
            }
            else if (next == 44)
            {
                if (rest.Length < 8)
                {
                    return DropReason.TruncatedIpv6ExtHeader;
                }

                // Any fragment header marks the packet a fragment (OVS), a non-zero offset a later one.
                ushort offlg = BinaryPrimitives.ReadUInt16BigEndian(rest.Slice(2));
                next = rest[0];
                rest = rest.Slice(8);
                frag = (offlg & 0xfff8) != 0 ? FlowKey.FragLater : FlowKey.FragFirst;
                if (frag == FlowKey.FragLater)
                {
                    break;
                }
            }
            else
            {
                break;
            }
        }

        ulong l4Word = 0;
        if (frag != FlowKey.FragLater)
        {
            DropReason r = ParseL4(next, rest, ipv6: true, out l4Word, out w8, out w9, out tcpFlags);
            if (r != DropReason.None)
            {
                return r;
            }
        }

        w3 = next | ((ulong)tclass << 8) | ((ulong)hopLimit << 16) | ((ulong)frag << 24) | l4Word;
        return DropReason.None;
    }

    private static DropReason ParseL4(byte proto, ReadOnlySpan<byte> l4, bool ipv6, out ulong l4Word, out ulong sha, out ulong tha, out ushort tcpFlags)
    {
        l4Word = 0;
        sha = tha = 0;
        tcpFlags = 0;
        switch (proto)
        {
            case ProtoTcp:
            {
                if (l4.Length < 20)
                {
                    return DropReason.TruncatedTcp;
                }

                ushort ctl = BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(12));
                int dataOffset = (ctl >> 12) * 4;
                if (dataOffset < 20)
                {
                    return DropReason.BadTcpHeader;
                }

                if (dataOffset > l4.Length)
                {
                    return DropReason.TruncatedTcp;
                }

                tcpFlags = (ushort)(ctl & 0x0fff);
                l4Word = Ports(l4);
                return DropReason.None;
            }

            case ProtoUdp:
                if (l4.Length < 8)
                {
                    return DropReason.TruncatedUdp;
                }

                l4Word = Ports(l4);
                return DropReason.None;
            case ProtoSctp:
                if (l4.Length < 12)
                {
                    return DropReason.TruncatedSctp;
                }

                l4Word = Ports(l4);
                return DropReason.None;
            case ProtoIcmp when !ipv6:
                if (l4.Length < 8)
                {
                    return DropReason.TruncatedIcmp;
                }

                l4Word = ((ulong)l4[0] << 32) | ((ulong)l4[1] << 48);
                return DropReason.None;
            case ProtoIcmpv6 when ipv6:
                if (l4.Length < 4)
                {
                    return DropReason.TruncatedIcmpv6;
                }

                l4Word = ((ulong)l4[0] << 32) | ((ulong)l4[1] << 48);
                if ((l4[0] == 135 || l4[0] == 136) && l4[1] == 0)
                {
                    ParseNdOptions(l4, out sha, out tha);
                }

                return DropReason.None;
            default:
                return DropReason.None;
        }
    }

    // Neighbour solicitation/advertisement: source (type 1) and target (type 2) link-layer address options go
    // into arp_sha/arp_tha as OVS does; malformed options leave both zero (OVS ignores the ND fields then).
    private static void ParseNdOptions(ReadOnlySpan<byte> l4, out ulong sha, out ulong tha)
    {
        sha = tha = 0;
        if (l4.Length < 24)
        {
            return;
        }

        ReadOnlySpan<byte> opts = l4.Slice(24);
        ulong s = 0, t = 0;
        while (opts.Length >= 8)
        {
            int len = opts[1] * 8;
            if (len == 0 || len > opts.Length)
            {
                return;
            }

            if (len == 8 && opts[0] == 1 && s == 0)
            {
                s = FlowKey.ReadMac(opts.Slice(2));
            }
            else if (len == 8 && opts[0] == 2 && t == 0)
            {
                t = FlowKey.ReadMac(opts.Slice(2));
            }

            opts = opts.Slice(len);
        }

        sha = s;
        tha = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Ports(ReadOnlySpan<byte> l4) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(l4) << 32) | ((ulong)BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(2)) << 48);
}
