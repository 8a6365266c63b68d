using System.Buffers.Binary;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// Builds the raw Ethernet frames a differential test feeds to both switches (Open vSwitch through
/// <c>ofproto/trace BRIDGE in_port=N HEX</c>, Fabric through <c>PacketParser.Parse</c>): ARP, IPv4 (TCP, UDP, ICMP,
/// a later fragment), IPv6 (TCP, UDP, ICMPv6) and an opaque EtherType, optionally with one 802.1Q tag, padded to the
/// 60-byte Ethernet minimum. MACs are 48-bit numbers in network order (0x020000000001 = 02:00:00:00:00:01); IPv4
/// addresses are host-order integers (10.0.0.1 = 0x0a000001).
/// </summary>
public static class FrameBuilder
{
    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public const ulong Broadcast = 0xffff_ffff_ffffUL;

    /// <summary>EtherType of ARP.</summary>
    public const ushort EthTypeArp = 0x0806;

    /// <summary>EtherType of IPv4.</summary>
    public const ushort EthTypeIpv4 = 0x0800;

    /// <summary>EtherType of IPv6.</summary>
    public const ushort EthTypeIpv6 = 0x86dd;

    /// <summary>IP protocol number of ICMP.</summary>
    public const byte ProtoIcmp = 1;

    /// <summary>IP protocol number of TCP.</summary>
    public const byte ProtoTcp = 6;

    /// <summary>IP protocol number of UDP.</summary>
    public const byte ProtoUdp = 17;

    /// <summary>IP protocol number of ICMPv6.</summary>
    public const byte ProtoIcmpv6 = 58;

    private const int MinFrame = 60;

    /// <summary>An Ethernet/IPv4 ARP frame (opcode 1 request, 2 reply).</summary>
    public static byte[] Arp(ulong dst, ulong src, VlanTag? tag, ushort op, ulong sha, uint spa, ulong tha, uint tpa)
    {
        var body = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(body, 1);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), EthTypeIpv4);
        body[4] = 6;
        body[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(6), op);
        WriteMac(body.AsSpan(8), sha);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(14), spa);
        WriteMac(body.AsSpan(18), tha);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(24), tpa);
        return Ethernet(dst, src, tag, EthTypeArp, body);
    }

    /// <summary>
    /// An IPv4 packet: TCP SYN, UDP (4 payload bytes) or ICMP echo request by <paramref name="proto"/> (ports are
    /// ignored for ICMP). <paramref name="laterFragment"/> makes it a non-first fragment (offset 1480, no L4 header).
    /// </summary>
    public static byte[] Ipv4(ulong dst, ulong src, VlanTag? tag, byte proto, uint srcIp, uint dstIp, ushort sport, ushort dport, bool laterFragment = false)
    {
        var l4 = laterFragment ? new byte[8] : L4(proto, sport, dport, ipv6: false);
        var ip = new byte[20 + l4.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), laterFragment ? (ushort)(1480 / 8) : (ushort)0x4000);
        ip[8] = 64;
        ip[9] = proto;
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(12), srcIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(16), dstIp);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, 20)));
        l4.CopyTo(ip, 20);
        return Ethernet(dst, src, tag, EthTypeIpv4, ip);
    }

    /// <summary>An IPv6 packet: TCP SYN, UDP or ICMPv6 echo request by <paramref name="proto"/>.</summary>
    public static byte[] Ipv6(ulong dst, ulong src, VlanTag? tag, byte proto, UInt128 srcIp, UInt128 dstIp, ushort sport, ushort dport)
    {
        var l4 = L4(proto, sport, dport, ipv6: true);
        var ip = new byte[40 + l4.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)l4.Length);
        ip[6] = proto;
        ip[7] = 64;
        BinaryPrimitives.WriteUInt128BigEndian(ip.AsSpan(8), srcIp);
        BinaryPrimitives.WriteUInt128BigEndian(ip.AsSpan(24), dstIp);
        l4.CopyTo(ip, 40);
        return Ethernet(dst, src, tag, EthTypeIpv6, ip);
    }

    /// <summary>A frame of an EtherType neither switch parses beyond L2 (e.g. 0x88b5, IEEE local experimental).</summary>
    public static byte[] Opaque(ulong dst, ulong src, VlanTag? tag, ushort etherType) =>
        Ethernet(dst, src, tag, etherType, [0xde, 0xad, 0xbe, 0xef]);

    /// <summary>The frame as the lowercase hex string <c>ofproto/trace</c> takes as its packet argument.</summary>
    public static string Hex(byte[] frame) => Convert.ToHexStringLower(frame);

    private static byte[] L4(byte proto, ushort sport, ushort dport, bool ipv6)
    {
        byte[] l4;
        switch (proto)
        {
            case ProtoTcp:
                l4 = new byte[20];
                BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
                BinaryPrimitives.WriteUInt32BigEndian(l4.AsSpan(4), 1);
                l4[12] = 0x50;
                l4[13] = 0x02;
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(14), 8192);
                return l4;
            case ProtoUdp:
                l4 = new byte[12];
                BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
                return l4;
            default:
                // ICMP / ICMPv6 echo request, identifier 1, sequence 1.
                l4 = new byte[8];
                l4[0] = ipv6 ? (byte)128 : (byte)8;
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), 1);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(6), 1);
                return l4;
        }
    }

    private static byte[] Ethernet(ulong dst, ulong src, VlanTag? tag, ushort etherType, byte[] payload)
    {
        var header = tag is null ? 14 : 18;
        var frame = new byte[Math.Max(MinFrame, header + payload.Length)];
        WriteMac(frame, dst);
        WriteMac(frame.AsSpan(6), src);
        var off = 12;
        if (tag is { } t)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(off), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(off + 2), t.Tci);
            off += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(off), etherType);
        payload.CopyTo(frame, off + 2);
        return frame;
    }

    private static void WriteMac(Span<byte> to, ulong mac)
    {
        for (var i = 0; i < 6; i++)
        {
            to[i] = (byte)(mac >> ((5 - i) * 8));
        }
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header.Slice(i));
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
