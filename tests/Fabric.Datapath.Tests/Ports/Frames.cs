using System.Buffers.Binary;
using System.Net;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>Builders and readers for the Ethernet/ARP/IPv4/ICMP frames the port tests exchange with the kernel.</summary>
internal static class Frames
{
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeVlan = 0x8100;
    public const ulong Broadcast = 0xffff_ffff_ffff;

    public static ulong ParseMac(string text)
    {
        ulong mac = 0;
        foreach (string part in text.Trim().Split(':'))
        {
            mac = (mac << 8) | Convert.ToByte(part, 16);
        }

        return mac;
    }

    public static string FormatMac(ulong mac) =>
        string.Join(':', Enumerable.Range(0, 6).Select(i => ((byte)(mac >> (40 - (8 * i)))).ToString("x2")));

    public static ulong ReadMac(ReadOnlySpan<byte> b)
    {
        ulong mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | b[i];
        }

        return mac;
    }

    public static void WriteMac(Span<byte> b, ulong mac)
    {
        for (int i = 0; i < 6; i++)
        {
            b[i] = (byte)(mac >> (40 - (8 * i)));
        }
    }

    public static ulong Dst(ReadOnlySpan<byte> frame) => ReadMac(frame);

    public static ulong Src(ReadOnlySpan<byte> frame) => ReadMac(frame[6..]);

    public static ushort EtherType(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);

    /// <summary>RFC 1071 Internet checksum over <paramref name="data"/> (one's complement of the one's complement sum).</summary>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>ARP (RFC 826) for IPv4 over Ethernet: op 1 = request, 2 = reply. 42 bytes, no padding.</summary>
    public static byte[] Arp(ushort op, ulong ethSrc, ulong ethDst, ulong senderMac, IPAddress senderIp, ulong targetMac, IPAddress targetIp)
    {
        byte[] f = new byte[42];
        WriteMac(f, ethDst);
        WriteMac(f.AsSpan(6), ethSrc);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 1);      // htype Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 0x0800); // ptype IPv4
        f[18] = 6;
        f[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(20), op);
        WriteMac(f.AsSpan(22), senderMac);
        senderIp.GetAddressBytes().CopyTo(f, 28);
        WriteMac(f.AsSpan(32), targetMac);
        targetIp.GetAddressBytes().CopyTo(f, 38);
        return f;
    }

    /// <summary>ICMP echo (RFC 792, type 8 request / 0 reply) in IPv4 (RFC 791, TTL 64, DF) in Ethernet, with checksums.</summary>
    public static byte[] IcmpEcho(byte type, ulong ethSrc, ulong ethDst, IPAddress src, IPAddress dst, ushort id, ushort seq, int payloadBytes = 32)
    {
        int ipLength = 20 + 8 + payloadBytes;
        byte[] f = new byte[14 + ipLength];
        WriteMac(f, ethDst);
        WriteMac(f.AsSpan(6), ethSrc);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), EtherTypeIpv4);
        Span<byte> ip = f.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
        ip[8] = 64;
        ip[9] = 1;
        src.GetAddressBytes().CopyTo(ip[12..]);
        dst.GetAddressBytes().CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum(ip));
        Span<byte> icmp = f.AsSpan(34);
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], seq);
        for (int i = 0; i < payloadBytes; i++)
        {
            icmp[8 + i] = (byte)i;
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum(icmp));
        return f;
    }

    /// <summary>True for an ARP frame (untagged) with operation <paramref name="op"/> asking for / answering <paramref name="targetIp"/>.</summary>
    public static bool IsArp(ReadOnlySpan<byte> f, ushort op, IPAddress targetIp) =>
        f.Length >= 42
        && EtherType(f) == EtherTypeArp
        && BinaryPrimitives.ReadUInt16BigEndian(f[20..]) == op
        && f.Slice(38, 4).SequenceEqual(targetIp.GetAddressBytes());

    public static IPAddress ArpSenderIp(ReadOnlySpan<byte> f) => new(f.Slice(28, 4));

    public static ulong ArpSenderMac(ReadOnlySpan<byte> f) => ReadMac(f[22..]);

    /// <summary>True for an untagged IPv4 ICMP frame of <paramref name="type"/> with this id/sequence from <paramref name="src"/>.</summary>
    public static bool IsIcmpEcho(ReadOnlySpan<byte> f, byte type, IPAddress src, ushort id, ushort seq) =>
        f.Length >= 42
        && EtherType(f) == EtherTypeIpv4
        && f[23] == 1
        && f.Slice(26, 4).SequenceEqual(src.GetAddressBytes())
        && f[34] == type
        && BinaryPrimitives.ReadUInt16BigEndian(f[38..]) == id
        && BinaryPrimitives.ReadUInt16BigEndian(f[40..]) == seq;
}
