using System.Buffers.Binary;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Tests.Ports;

namespace Fabric.Datapath.Tests.Offloads;

/// <summary>Hand-built TCP and UDP frames over IPv4 and IPv6, checked with a reference checksum independent of the code under test.</summary>
internal static class TcpFrames
{
    public const int TcpHeaderBytes = 32; // 20 + a 12-byte timestamp option block

    /// <summary>
    /// An Ethernet (+ <paramref name="vlanTags"/> 802.1Q tags) / IP / TCP frame carrying <paramref name="payload"/>, with
    /// correct lengths and checksums; flags PSH|ACK|FIN (+CWR when <paramref name="cwr"/>).
    /// </summary>
    public static byte[] Build(bool ipv6, ReadOnlySpan<byte> payload, int vlanTags = 0, uint seq = 0xFFFF_F000, ushort ipId = 0xFFFE, bool cwr = false)
    {
        int l2 = 14 + (4 * vlanTags);
        int ipHeader = ipv6 ? 40 : 20;
        int l4 = l2 + ipHeader;
        byte[] f = new byte[l4 + TcpHeaderBytes + payload.Length];
        Frames.WriteMac(f, 0x02_00_00_00_00_02);
        Frames.WriteMac(f.AsSpan(6), 0x02_00_00_00_00_01);
        int off = 12;
        for (int t = 0; t < vlanTags; t++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off + 2), (ushort)(10 + t));
            off += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off), ipv6 ? (ushort)0x86DD : (ushort)0x0800);
        int tcpLength = TcpHeaderBytes + payload.Length;
        if (ipv6)
        {
            f[l2] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 + 4), (ushort)tcpLength);
            f[l2 + 6] = 6;
            f[l2 + 7] = 64;
            for (int i = 0; i < 16; i++)
            {
                f[l2 + 8 + i] = (byte)(0x20 + i);
                f[l2 + 24 + i] = (byte)(0x40 + i);
            }
        }
        else
        {
            f[l2] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 + 2), (ushort)Math.Min(65535, ipHeader + tcpLength));
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 + 4), ipId);
            f[l2 + 6] = 0x40; // DF
            f[l2 + 8] = 64;
            f[l2 + 9] = 6;
            f.AsSpan(l2 + 12, 4).Fill(10);
            f[l2 + 15] = 1;
            f.AsSpan(l2 + 16, 4).Fill(10);
            f[l2 + 19] = 2;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 + 10), Frames.InternetChecksum(f.AsSpan(l2, 20)));
        }

        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 2), 5201);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(l4 + 4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(l4 + 8), 12345);
        f[l4 + 12] = (TcpHeaderBytes / 4) << 4;
        f[l4 + 13] = (byte)(0x19 | (cwr ? 0x80 : 0)); // FIN | PSH | ACK
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 14), 512);
        f[l4 + 20] = 1;
        f[l4 + 21] = 1;
        f[l4 + 22] = 8;
        f[l4 + 23] = 10;
        payload.CopyTo(f.AsSpan(l4 + TcpHeaderBytes));
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 16), TcpChecksum(f, l2, l4, ipv6));
        return f;
    }

    /// <summary>
    /// An Ethernet / IP / UDP frame (ports 40001 → 5201) carrying <paramref name="payload"/>, with
    /// correct lengths and checksums: a UDP_SEGMENT super-frame when the payload exceeds one segment.
    /// </summary>
    public static byte[] BuildUdp(bool ipv6, ReadOnlySpan<byte> payload)
    {
        byte[] f = Build(ipv6, payload);
        int l3 = 14;
        int l4 = l3 + (ipv6 ? 40 : 20);
        byte[] u = new byte[l4 + 8 + payload.Length];
        f.AsSpan(0, l4).CopyTo(u);
        int udpLength = 8 + payload.Length;
        if (ipv6)
        {
            u[l3 + 6] = 17;
            BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l3 + 4), (ushort)udpLength);
        }
        else
        {
            u[l3 + 9] = 17;
            BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l3 + 2), (ushort)Math.Min(65535, 20 + udpLength));
            u[l3 + 10] = 0;
            u[l3 + 11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l3 + 10), Frames.InternetChecksum(u.AsSpan(l3, 20)));
        }

        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l4), 40001);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l4 + 2), 5201);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l4 + 4), (ushort)udpLength);
        payload.CopyTo(u.AsSpan(l4 + 8));
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(l4 + 6), L4Checksum(u, l3, l4, ipv6, 17, 6));
        return u;
    }

    /// <summary>The vnet header a kernel would give a UDP_SEGMENT (USO) super-frame with <paramref name="size"/>-byte segments.</summary>
    public static VirtioNetHeader UsoHeader(bool ipv6, int size)
    {
        int l4 = 14 + (ipv6 ? 40 : 20);
        return new VirtioNetHeader
        {
            Flags = VirtioNetFlags.NeedsCsum,
            GsoType = VirtioGsoType.UdpL4,
            HdrLen = (ushort)(l4 + 8),
            GsoSize = (ushort)size,
            CsumStart = (ushort)l4,
            CsumOffset = 6,
        };
    }

    /// <summary>The correct TCP checksum of the frame (the field is taken as zero), computed the slow, obvious way.</summary>
    public static ushort TcpChecksum(byte[] f, int l3, int l4, bool ipv6) => L4Checksum(f, l3, l4, ipv6, 6, 16);

    /// <summary>
    /// The correct checksum of the frame's L4 (protocol <paramref name="protocol"/>, checksum field at
    /// <paramref name="field"/> bytes into the L4 header, taken as zero), computed the slow, obvious way; 0 is given as 0xFFFF.
    /// </summary>
    public static ushort L4Checksum(byte[] f, int l3, int l4, bool ipv6, byte protocol, int field)
    {
        int tcpLength = f.Length - l4;
        var pseudo = new List<byte>();
        if (ipv6)
        {
            pseudo.AddRange(f.AsSpan(l3 + 8, 32).ToArray());
            pseudo.AddRange([(byte)(tcpLength >> 24), (byte)(tcpLength >> 16), (byte)(tcpLength >> 8), (byte)tcpLength, 0, 0, 0, protocol]);
        }
        else
        {
            pseudo.AddRange(f.AsSpan(l3 + 12, 8).ToArray());
            pseudo.AddRange([0, protocol, (byte)(tcpLength >> 8), (byte)tcpLength]);
        }

        byte[] segment = f.AsSpan(l4).ToArray();
        segment[field] = 0;
        segment[field + 1] = 0;
        pseudo.AddRange(segment);
        ushort c = Frames.InternetChecksum(pseudo.ToArray());
        return c == 0 ? (ushort)0xFFFF : c;
    }

    /// <summary>The vnet header a kernel would give this frame as a TSO super-frame with <paramref name="mss"/>.</summary>
    public static VirtioNetHeader GsoHeader(bool ipv6, int mss, int vlanTags = 0)
    {
        int l4 = 14 + (4 * vlanTags) + (ipv6 ? 40 : 20);
        return new VirtioNetHeader
        {
            Flags = VirtioNetFlags.NeedsCsum,
            GsoType = ipv6 ? VirtioGsoType.TcpV6 : VirtioGsoType.TcpV4,
            HdrLen = (ushort)(l4 + TcpHeaderBytes),
            GsoSize = (ushort)mss,
            CsumStart = (ushort)l4,
            CsumOffset = 16,
        };
    }

    /// <summary>Replaces the TCP checksum with the pseudo-header sum only (not complemented), as CHECKSUM_PARTIAL leaves it.</summary>
    public static void MakePartial(byte[] f, int l3, int l4, bool ipv6)
    {
        int tcpLength = f.Length - l4;
        uint sum = 0;
        int addresses = ipv6 ? 32 : 8;
        int start = l3 + (ipv6 ? 8 : 12);
        for (int i = 0; i < addresses; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(start + i));
        }

        sum += 6 + (uint)tcpLength;
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 16), (ushort)sum);
    }

    /// <summary>A payload whose byte i is a function of i, so that reassembly errors show.</summary>
    public static byte[] Pattern(int length)
    {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)((i * 7) + (i >> 8));
        }

        return p;
    }
}
