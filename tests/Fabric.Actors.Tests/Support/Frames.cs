using System.Buffers.Binary;

namespace Fabric.Actors.Tests.Support;

/// <summary>Builds small test frames: Ethernet + ARP request, Ethernet + IPv4/UDP.</summary>
public static class Frames
{
    public static byte[] Arp(ulong src, ulong dst, uint senderIp, uint targetIp)
    {
        var f = new byte[42];
        Eth(f, dst, src, 0x0806);
        WriteArpRequest(f.AsSpan(14), src, senderIp, targetIp);
        return f;
    }

    /// <summary>Writes an IPv4-over-Ethernet ARP request body (28 bytes) from <paramref name="src"/> into <paramref name="a"/>.</summary>
    public static void WriteArpRequest(Span<byte> a, ulong src, uint senderIp, uint targetIp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(a, 1);
        BinaryPrimitives.WriteUInt16BigEndian(a[2..], 0x0800);
        a[4] = 6;
        a[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(a[6..], 1);
        WriteMac(a[8..], src);
        BinaryPrimitives.WriteUInt32BigEndian(a[14..], senderIp);
        BinaryPrimitives.WriteUInt32BigEndian(a[24..], targetIp);
    }

    public static byte[] Udp(ulong src, ulong dst, uint srcIp, uint dstIp, ushort srcPort, ushort dstPort)
    {
        var f = new byte[14 + 20 + 8 + 18];
        Eth(f, dst, src, 0x0800);
        var ip = f.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(f.Length - 14));
        ip[8] = 64;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], srcIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dstIp);
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], dstPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(f.Length - 34));
        return f;
    }

    private static void Eth(Span<byte> f, ulong dst, ulong src, ushort type)
    {
        WriteMac(f, dst);
        WriteMac(f[6..], src);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], type);
    }

    private static void WriteMac(Span<byte> s, ulong mac)
    {
        for (var i = 0; i < 6; i++)
        {
            s[i] = (byte)(mac >> (40 - (8 * i)));
        }
    }
}
