using System.Globalization;
using System.Net;
using System.Text;

namespace Fabric.Datapath.Flows;

/// <summary>
/// Formats flow keys and masks the way <c>ovs-appctl dpctl/dump-flows</c> prints them (ODP syntax,
/// ovs-facts §5.4, <c>lib/odp-util.c</c>): fully wildcarded attributes are omitted, partially masked fields
/// are printed as <c>value/mask</c>, ports are printed as numbers. Not on the per-packet path (allocates).
/// </summary>
public static class FlowFormatter
{
    private const ushort EthTypeIpv4 = 0x0800;
    private const ushort EthTypeIpv6 = 0x86dd;
    private const ushort EthTypeArp = 0x0806;
    private const ushort EthTypeRarp = 0x8035;

    /// <summary>
    /// The ODP form of a (masked) flow key, e.g.
    /// <c>recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth(src=02:77:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.77.0.1,tip=10.77.0.2,op=1)</c>.
    /// A tagged key prints as <c>eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(frag=no))</c>.
    /// </summary>
    public static string FormatOdp(in FlowKey key, in FlowMask mask)
    {
        var sb = new StringBuilder(160);
        sb.Append("recirc_id(0)");
        if (mask.InPort != 0)
        {
            sb.Append(",in_port(").Append(key.InPort.ToString(CultureInfo.InvariantCulture)).Append(')');
        }

        sb.Append(",packet_type(ns=0,id=0)");
        if (mask.DlSrc != 0 || mask.DlDst != 0)
        {
            sb.Append(",eth(");
            int start = sb.Length;
            AppendMacField(sb, start, "src", key.DlSrc, mask.DlSrc);
            AppendMacField(sb, start, "dst", key.DlDst, mask.DlDst);
            sb.Append(')');
        }

        int closers = 0;
        if (key.HasVlan && mask.VlanTci != 0)
        {
            sb.Append(",eth_type(0x8100),vlan(");
            AppendVlan(sb, key.VlanTci, mask.VlanTci);
            sb.Append("),encap(");
            closers++;
            if ((key.VlanTci2 & FlowKey.VlanPresent) != 0 && mask.VlanTci2 != 0)
            {
                sb.Append("eth_type(0x8100),vlan(");
                AppendVlan(sb, key.VlanTci2, mask.VlanTci2);
                sb.Append("),encap(");
                closers++;
            }
        }

        AppendL3L4(sb, key, mask, closers > 0);
        sb.Append(')', closers);
        return sb.ToString();
    }

    /// <summary>Formats a 48-bit MAC (low bits, network order) as lowercase <c>xx:xx:xx:xx:xx:xx</c>.</summary>
    public static string FormatMac(ulong mac) => string.Create(17, mac, static (span, m) =>
    {
        const string hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            int b = (int)(m >> ((5 - i) * 8)) & 0xff;
            span[i * 3] = hex[b >> 4];
            span[(i * 3) + 1] = hex[b & 0xf];
            if (i < 5)
            {
                span[(i * 3) + 2] = ':';
            }
        }
    });

    /// <summary>
    /// Parses <c>xx:xx:xx:xx:xx:xx</c> (hex digits, either case, ':' or '-' separators) into a 48-bit MAC.
    /// Returns false for anything else.
    /// </summary>
    public static bool TryParseMac(ReadOnlySpan<char> s, out ulong mac)
    {
        mac = 0;
        if (s.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            int hi = HexValue(s[i * 3]);
            int lo = HexValue(s[(i * 3) + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }

            if (i < 5 && s[(i * 3) + 2] != ':' && s[(i * 3) + 2] != '-')
            {
                return false;
            }

            value = (value << 8) | (uint)((hi << 4) | lo);
        }

        mac = value;
        return true;
    }

    /// <summary>Formats a host-order IPv4 address (0x0a000001) as dotted quad (10.0.0.1).</summary>
    public static string FormatIpv4(uint address) => string.Create(
        CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}");

    /// <summary>Formats a 128-bit big-endian IPv6 address in RFC 5952 text form.</summary>
    public static string FormatIpv6(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }

    private static void AppendL3L4(StringBuilder sb, in FlowKey key, in FlowMask mask, bool inEncap)
    {
        bool wroteEthType = false;
        if (mask.DlType != 0)
        {
            if (!inEncap)
            {
                sb.Append(',');
            }

            sb.Append("eth_type(0x").Append(key.DlType.ToString("x4", CultureInfo.InvariantCulture));
            if (mask.DlType != 0xffff)
            {
                sb.Append("/0x").Append(mask.DlType.ToString("x4", CultureInfo.InvariantCulture));
            }

            sb.Append(')');
            wroteEthType = true;
        }

        int start;
        switch (key.DlType)
        {
            case EthTypeIpv4:
                Open(sb, "ipv4(", wroteEthType || !inEncap, out start);
                if (mask.Ipv4Src != 0)
                {
                    Sep(sb, start).Append("src=").Append(FormatIpv4(key.Ipv4Src));
                    if (mask.Ipv4Src != uint.MaxValue)
                    {
                        sb.Append('/').Append(FormatIpv4(mask.Ipv4Src));
                    }
                }

                if (mask.Ipv4Dst != 0)
                {
                    Sep(sb, start).Append("dst=").Append(FormatIpv4(key.Ipv4Dst));
                    if (mask.Ipv4Dst != uint.MaxValue)
                    {
                        sb.Append('/').Append(FormatIpv4(mask.Ipv4Dst));
                    }
                }

                AppendU8(sb, start, "proto", key.NwProto, mask.NwProto, hex: false);
                AppendU8(sb, start, "tos", key.NwTos, mask.NwTos, hex: true);
                AppendU8(sb, start, "ttl", key.NwTtl, mask.NwTtl, hex: false);
                AppendFrag(sb, start, key.NwFrag, mask.NwFrag);
                Close(sb, start, "ipv4(");
                AppendL4(sb, key, mask, icmpName: "icmp", icmpProto: 1);
                break;
            case EthTypeIpv6:
                Open(sb, "ipv6(", wroteEthType || !inEncap, out start);
                if (mask.Ipv6Src != UInt128.Zero)
                {
                    Sep(sb, start).Append("src=").Append(FormatIpv6(key.Ipv6Src));
                    if (mask.Ipv6Src != UInt128.MaxValue)
                    {
                        sb.Append('/').Append(FormatIpv6(mask.Ipv6Src));
                    }
                }

                if (mask.Ipv6Dst != UInt128.Zero)
                {
                    Sep(sb, start).Append("dst=").Append(FormatIpv6(key.Ipv6Dst));
                    if (mask.Ipv6Dst != UInt128.MaxValue)
                    {
                        sb.Append('/').Append(FormatIpv6(mask.Ipv6Dst));
                    }
                }

                AppendU8(sb, start, "proto", key.NwProto, mask.NwProto, hex: false);
                AppendU8(sb, start, "tclass", key.NwTos, mask.NwTos, hex: true);
                AppendU8(sb, start, "hlimit", key.NwTtl, mask.NwTtl, hex: false);
                AppendFrag(sb, start, key.NwFrag, mask.NwFrag);
                Close(sb, start, "ipv6(");
                AppendL4(sb, key, mask, icmpName: "icmpv6", icmpProto: 58);
                break;
            case EthTypeArp:
            case EthTypeRarp:
                Open(sb, "arp(", wroteEthType || !inEncap, out start);
                if (mask.Ipv4Src != 0)
                {
                    Sep(sb, start).Append("sip=").Append(FormatIpv4(key.Ipv4Src));
                    if (mask.Ipv4Src != uint.MaxValue)
                    {
                        sb.Append('/').Append(FormatIpv4(mask.Ipv4Src));
                    }
                }

                if (mask.Ipv4Dst != 0)
                {
                    Sep(sb, start).Append("tip=").Append(FormatIpv4(key.Ipv4Dst));
                    if (mask.Ipv4Dst != uint.MaxValue)
                    {
                        sb.Append('/').Append(FormatIpv4(mask.Ipv4Dst));
                    }
                }

                AppendU8(sb, start, "op", key.NwProto, mask.NwProto, hex: false);
                AppendMacField(sb, start, "sha", key.ArpSha, mask.ArpSha);
                AppendMacField(sb, start, "tha", key.ArpTha, mask.ArpTha);
                Close(sb, start, "arp(");
                break;
        }
    }

    private static void AppendL4(StringBuilder sb, in FlowKey key, in FlowMask mask, string icmpName, byte icmpProto)
    {
        if ((mask.TpSrc == 0 && mask.TpDst == 0) || key.NwFrag == FlowKey.FragLater)
        {
            return;
        }

        string? name = key.NwProto switch
        {
            6 => "tcp(",
            17 => "udp(",
            132 => "sctp(",
            _ => null,
        };
        string srcName = "src", dstName = "dst";
        if (name is null && key.NwProto == icmpProto)
        {
            name = icmpName + "(";
            srcName = "type";
            dstName = "code";
        }

        if (name is null)
        {
            return;
        }

        sb.Append(',').Append(name);
        int start = sb.Length;
        AppendU16(sb, start, srcName, key.TpSrc, mask.TpSrc, icmp: srcName == "type");
        AppendU16(sb, start, dstName, key.TpDst, mask.TpDst, icmp: srcName == "type");
        sb.Append(')');
    }

    private static void Open(StringBuilder sb, string name, bool comma, out int start)
    {
        if (comma)
        {
            sb.Append(',');
        }

        sb.Append(name);
        start = sb.Length;
    }

    private static void Close(StringBuilder sb, int start, string name)
    {
        if (sb.Length == start)
        {
            // Every field of the attribute was wildcarded: remove "name(" and the comma before it.
            int cut = name.Length + (start - name.Length > 0 && sb[start - name.Length - 1] == ',' ? 1 : 0);
            sb.Length = start - cut;
            return;
        }

        sb.Append(')');
    }

    private static StringBuilder Sep(StringBuilder sb, int start)
    {
        if (sb.Length != start)
        {
            sb.Append(',');
        }

        return sb;
    }

    private static void AppendMacField(StringBuilder sb, int start, string name, ulong value, ulong mask)
    {
        if (mask == 0)
        {
            return;
        }

        Sep(sb, start).Append(name).Append('=').Append(FormatMac(value));
        if (mask != 0xffff_ffff_ffffUL)
        {
            sb.Append('/').Append(FormatMac(mask));
        }
    }

    private static void AppendU8(StringBuilder sb, int start, string name, byte value, byte mask, bool hex)
    {
        if (mask == 0)
        {
            return;
        }

        Sep(sb, start).Append(name).Append('=');
        sb.Append(hex ? HexC(value) : value.ToString(CultureInfo.InvariantCulture));
        if (mask != 0xff)
        {
            sb.Append('/').Append(HexC(mask));
        }
    }

    private static void AppendU16(StringBuilder sb, int start, string name, ushort value, ushort mask, bool icmp)
    {
        if (mask == 0)
        {
            return;
        }

        Sep(sb, start).Append(name).Append('=').Append(value.ToString(CultureInfo.InvariantCulture));
        ushort full = icmp ? (ushort)0xff : (ushort)0xffff;
        if ((mask & full) != full)
        {
            sb.Append('/').Append(HexC(mask));
        }
    }

    private static void AppendFrag(StringBuilder sb, int start, byte value, byte mask)
    {
        if (mask == 0)
        {
            return;
        }

        string text = value switch
        {
            FlowKey.FragNo => "no",
            FlowKey.FragFirst => "first",
            FlowKey.FragLater => "later",
            _ => "0x" + value.ToString("x", CultureInfo.InvariantCulture),
        };
        Sep(sb, start).Append("frag=").Append(text);
        if (mask != 0xff)
        {
            sb.Append('/').Append(HexC(mask));
        }
    }

    private static void AppendVlan(StringBuilder sb, ushort tci, ushort mask)
    {
        // OVS format_vlan_tci: vid and pcp printed when value or mask is non-zero; cfi only when unusual.
        int start = sb.Length;
        int vid = tci & 0xfff, vidMask = mask & 0xfff;
        int pcp = tci >> 13, pcpMask = mask >> 13;
        if (vid != 0 || vidMask != 0)
        {
            sb.Append("vid=").Append(vid.ToString(CultureInfo.InvariantCulture));
            if (vidMask != 0xfff)
            {
                sb.Append("/0x").Append(vidMask.ToString("x", CultureInfo.InvariantCulture));
            }
        }

        if (pcp != 0 || pcpMask != 0)
        {
            Sep(sb, start).Append("pcp=").Append(pcp.ToString(CultureInfo.InvariantCulture));
            if (pcpMask != 0x7)
            {
                sb.Append("/0x").Append(pcpMask.ToString("x", CultureInfo.InvariantCulture));
            }
        }

        if ((mask & FlowKey.VlanPresent) != FlowKey.VlanPresent)
        {
            Sep(sb, start).Append("cfi=").Append((tci >> 12) & 1).Append('/').Append((mask >> 12) & 1);
        }
    }

    // C's "%#x": 0 prints as "0", anything else as 0x-prefixed lowercase hex.
    private static string HexC(int value) =>
        value == 0 ? "0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
