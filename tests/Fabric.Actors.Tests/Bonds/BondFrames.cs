using System.Buffers.Binary;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>Frames for the bond scenarios: sized UDP frames (optionally 802.1Q-tagged), ARPs, and readers for what bonds send.</summary>
public static class BondFrames
{
    /// <summary>The broadcast address.</summary>
    public const ulong Broadcast = 0xffff_ffff_ffffUL;

    private const ushort Tpid = 0x8100;

    /// <summary>An IPv4/UDP frame of exactly <paramref name="size"/> bytes (≥ 60), tagged with <paramref name="vlan"/> when it is not 0.</summary>
    public static byte[] Udp(ulong src, ulong dst, int size = 60, int vlan = 0)
    {
        var f = new byte[size];
        var off = Eth(f, dst, src, 0x0800, vlan);
        var ip = f.AsSpan(off);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(size - off));
        ip[8] = 64;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0x0a00_0001);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], 0x0a00_0002);
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 1000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 2000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(size - off - 20));
        return f;
    }

    /// <summary>
    /// An ARP request from <paramref name="src"/>; with <paramref name="dst"/> broadcast and
    /// <paramref name="senderIp"/> = <paramref name="targetIp"/> it is a gratuitous ARP (OVS is_gratuitous_arp).
    /// </summary>
    public static byte[] ArpRequest(ulong src, ulong dst, uint senderIp, uint targetIp, int vlan = 0)
    {
        var f = new byte[vlan != 0 ? 64 : 60];
        var off = Eth(f, dst, src, 0x0806, vlan);
        Support.Frames.WriteArpRequest(f.AsSpan(off), src, senderIp, targetIp);
        return f;
    }

    /// <summary>The EtherType after the (optional) 802.1Q tag.</summary>
    public static ushort EtherType(byte[] f) =>
        BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)) == Tpid ? BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(16)) : BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12));

    /// <summary>The source MAC.</summary>
    public static ulong Source(byte[] f) => ReadMac(f.AsSpan(6));

    /// <summary>The destination MAC.</summary>
    public static ulong Destination(byte[] f) => ReadMac(f.AsSpan(0));

    /// <summary>The 802.1Q VID, or 0 for an untagged frame.</summary>
    public static int Vlan(byte[] f) =>
        BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)) == Tpid ? BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(14)) & 0x0fff : 0;

    /// <summary>True for a RARP frame (EtherType 0x8035).</summary>
    public static bool IsRarp(byte[] f) => EtherType(f) == 0x8035;

    /// <summary>True for a slow-protocols (LACP) frame.</summary>
    public static bool IsLacp(byte[] f) => EtherType(f) == 0x8809;

    /// <summary>Frames that are neither learning RARPs nor LACPDUs (the bridged traffic).</summary>
    public static List<byte[]> Data(IEnumerable<byte[]> frames) => frames.Where(f => !IsRarp(f) && !IsLacp(f)).ToList();

    private static int Eth(Span<byte> f, ulong dst, ulong src, ushort type, int vlan)
    {
        WriteMac(f, dst);
        WriteMac(f[6..], src);
        if (vlan != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f[12..], Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(f[14..], (ushort)vlan);
            BinaryPrimitives.WriteUInt16BigEndian(f[16..], type);
            return 18;
        }

        BinaryPrimitives.WriteUInt16BigEndian(f[12..], type);
        return 14;
    }

    private static void WriteMac(Span<byte> s, ulong mac)
    {
        for (var i = 0; i < 6; i++)
        {
            s[i] = (byte)(mac >> (40 - (8 * i)));
        }
    }

    private static ulong ReadMac(ReadOnlySpan<byte> s)
    {
        ulong mac = 0;
        for (var i = 0; i < 6; i++)
        {
            mac = (mac << 8) | s[i];
        }

        return mac;
    }
}
