using System.Buffers.Binary;

namespace Fabric.Datapath.Tests.Support;

/// <summary>Builds test frames byte by byte (network order), independent of the code under test.</summary>
internal static class Frames
{
    public const ulong MacA = 0x505400000001;
    public const ulong MacB = 0x505400000002;
    public const ulong Broadcast = 0xffffffffffff;

    public static byte[] Eth(ulong dst, ulong src, ushort type, ReadOnlySpan<byte> payload, params (ushort Tpid, ushort Tci)[] tags)
    {
        var f = new byte[14 + (4 * tags.Length) + payload.Length];
        WriteMac(f, dst);
        WriteMac(f.AsSpan(6), src);
        int off = 12;
        foreach ((ushort tpid, ushort tci) in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off + 2), tci);
            off += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off), type);
        payload.CopyTo(f.AsSpan(off + 2));
        return f;
    }

    public static byte[] Ipv4(byte proto, uint src, uint dst, ReadOnlySpan<byte> l4, byte tos = 0, byte ttl = 64, ushort fragOff = 0, int optionBytes = 0)
    {
        int ihl = 20 + optionBytes;
        var p = new byte[ihl + l4.Length];
        p[0] = (byte)(0x40 | (ihl / 4));
        p[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), fragOff);
        p[8] = ttl;
        p[9] = proto;
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(12), src);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(16), dst);
        for (int i = 20; i < ihl; i++)
        {
            p[i] = 1; // NOP options
        }

        l4.CopyTo(p.AsSpan(ihl));
        return p;
    }

    public static byte[] Ipv6(byte next, UInt128 src, UInt128 dst, ReadOnlySpan<byte> payload, byte tclass = 0, byte hopLimit = 64)
    {
        var p = new byte[40 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(p, (6u << 28) | ((uint)tclass << 20) | 0x12345);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)payload.Length);
        p[6] = next;
        p[7] = hopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(p.AsSpan(8), src);
        BinaryPrimitives.WriteUInt128BigEndian(p.AsSpan(24), dst);
        payload.CopyTo(p.AsSpan(40));
        return p;
    }

    /// <summary>A generic IPv6 extension header (hop-by-hop 0, routing 43, dest-opts 60) of 8*(1+hdrExtLen) bytes, followed by <paramref name="rest"/>.</summary>
    public static byte[] Ipv6Ext(byte next, int hdrExtLen, ReadOnlySpan<byte> rest)
    {
        int len = (hdrExtLen + 1) * 8;
        var p = new byte[len + rest.Length];
        p[0] = next;
        p[1] = (byte)hdrExtLen;
        rest.CopyTo(p.AsSpan(len));
        return p;
    }

    public static byte[] Ipv6Frag(byte next, ushort offset, bool more, ReadOnlySpan<byte> rest)
    {
        var p = new byte[8 + rest.Length];
        p[0] = next;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)((offset << 3) | (more ? 1 : 0)));
        rest.CopyTo(p.AsSpan(8));
        return p;
    }

    public static byte[] Tcp(ushort sport, ushort dport, ushort flags = 0x002, int dataOffsetWords = 5, int payload = 0)
    {
        var p = new byte[Math.Max(20, dataOffsetWords * 4) + payload];
        BinaryPrimitives.WriteUInt16BigEndian(p, sport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12), (ushort)((dataOffsetWords << 12) | flags));
        return p;
    }

    public static byte[] Udp(ushort sport, ushort dport, int payload = 0)
    {
        var p = new byte[8 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(p, sport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)p.Length);
        return p;
    }

    public static byte[] Sctp(ushort sport, ushort dport)
    {
        var p = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(p, sport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), dport);
        return p;
    }

    public static byte[] Icmp(byte type, byte code, int length = 8)
    {
        var p = new byte[length];
        p[0] = type;
        p[1] = code;
        return p;
    }

    public static byte[] Arp(ushort op, ulong sha, uint spa, ulong tha, uint tpa)
    {
        var p = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 0x0800);
        p[4] = 6;
        p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), op);
        WriteMac(p.AsSpan(8), sha);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(14), spa);
        WriteMac(p.AsSpan(18), tha);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(24), tpa);
        return p;
    }

    /// <summary>A 64-byte Ethernet/IPv4/UDP frame (Ethernet padding included).</summary>
    public static byte[] Udp64(ulong src, ulong dst, uint ipSrc, uint ipDst, ushort sport, ushort dport)
    {
        byte[] f = Eth(dst, src, 0x0800, Ipv4(17, ipSrc, ipDst, Udp(sport, dport, payload: 22)));
        return f.Length >= 64 ? f : [.. f, .. new byte[64 - f.Length]];
    }

    public static uint Ip(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;

    public static void WriteMac(Span<byte> s, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(s[2..], (uint)mac);
    }
}
