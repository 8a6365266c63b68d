using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fabric.Datapath.Flows;

/// <summary>
/// The datapath flow key: OVS's match field set (ovs-facts §5.1) extracted from one frame, packed into
/// ten 64-bit words so that masking is one AND per word and equality is ten compares. The hash is
/// computed once, at construction.
/// </summary>
/// <remarks>
/// Word layout:
/// W0 = in_port (bits 0-15) | dl_type (16-31) | vlan_tci (32-47) | vlan_tci2, the inner tag (48-63);
/// W1 = dl_src and W2 = dl_dst (48-bit MAC in the low bits, network order: 50:54:00:00:00:01 → 0x505400000001);
/// W3 = nw_proto (0-7) | nw_tos (8-15) | nw_ttl (16-23) | nw_frag (24-31: 0 no, 1 first, 3 later) | tp_src (32-47) | tp_dst (48-63);
/// W4, W5 = nw_src (IPv6 high, low; IPv4 in the low 32 bits of W5 with W4 = 0); W6, W7 = nw_dst; W8 = arp_sha; W9 = arp_tha.
/// vlan_tci follows OVS: 0 = untagged, a tagged frame has 0x1000 ("present") | pcp &lt;&lt; 13 | vid. For ARP the opcode is
/// in nw_proto and spa/tpa in nw_src/nw_dst; for ICMP/ICMPv6 the type is in tp_src and the code in tp_dst, as in OVS.
/// TCP flags are not part of the key.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct FlowKey : IEquatable<FlowKey>
{
    /// <summary>Number of 64-bit words in a key.</summary>
    public const int WordCount = 10;

    /// <summary>nw_frag value of a non-fragmented IP packet.</summary>
    public const byte FragNo = 0;

    /// <summary>nw_frag value of the first fragment of an IP packet (OVS FLOW_NW_FRAG_ANY).</summary>
    public const byte FragFirst = 1;

    /// <summary>nw_frag value of a non-first fragment (OVS FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER).</summary>
    public const byte FragLater = 3;

    /// <summary>The "tag present" bit of <see cref="VlanTci"/> (OVS VLAN_CFI).</summary>
    public const ushort VlanPresent = 0x1000;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;
    private readonly ulong _w4;
    private readonly ulong _w5;
    private readonly ulong _w6;
    private readonly ulong _w7;
    private readonly ulong _w8;
    private readonly ulong _w9;
    private readonly int _hash;

    /// <summary>Builds a key from its ten words (layout in the type remarks) and computes its hash.</summary>
    public FlowKey(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5, ulong w6, ulong w7, ulong w8, ulong w9)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
        _w4 = w4;
        _w5 = w5;
        _w6 = w6;
        _w7 = w7;
        _w8 = w8;
        _w9 = w9;
        _hash = FlowHash.Hash(w0, w1, w2, w3, w4, w5, w6, w7, w8, w9);
    }

    /// <summary>Datapath port number the frame arrived on (in_port).</summary>
    public ushort InPort => (ushort)_w0;

    /// <summary>EtherType after any VLAN tags (dl_type); 0x05ff for 802.3 frames without SNAP, as OVS.</summary>
    public ushort DlType => (ushort)(_w0 >> 16);

    /// <summary>Outer VLAN TCI, OVS convention: 0 = untagged, else 0x1000 | pcp &lt;&lt; 13 | vid.</summary>
    public ushort VlanTci => (ushort)(_w0 >> 32);

    /// <summary>Inner VLAN TCI of a double-tagged (QinQ) frame, same convention as <see cref="VlanTci"/>.</summary>
    public ushort VlanTci2 => (ushort)(_w0 >> 48);

    /// <summary>Ethernet source address (dl_src), 48 bits in network order.</summary>
    public ulong DlSrc => _w1;

    /// <summary>Ethernet destination address (dl_dst), 48 bits in network order.</summary>
    public ulong DlDst => _w2;

    /// <summary>IP protocol (nw_proto), or the low 8 bits of the ARP opcode.</summary>
    public byte NwProto => (byte)_w3;

    /// <summary>IPv4 TOS byte / IPv6 traffic class (DSCP and ECN bits).</summary>
    public byte NwTos => (byte)(_w3 >> 8);

    /// <summary>IPv4 TTL / IPv6 hop limit.</summary>
    public byte NwTtl => (byte)(_w3 >> 16);

    /// <summary>Fragment state: <see cref="FragNo"/>, <see cref="FragFirst"/> or <see cref="FragLater"/>.</summary>
    public byte NwFrag => (byte)(_w3 >> 24);

    /// <summary>TCP/UDP/SCTP source port, or the ICMP/ICMPv6 type.</summary>
    public ushort TpSrc => (ushort)(_w3 >> 32);

    /// <summary>TCP/UDP/SCTP destination port, or the ICMP/ICMPv6 code.</summary>
    public ushort TpDst => (ushort)(_w3 >> 48);

    /// <summary>IPv4 source address (or ARP spa) as a host-order integer (10.0.0.1 → 0x0a000001).</summary>
    public uint Ipv4Src => (uint)_w5;

    /// <summary>IPv4 destination address (or ARP tpa) as a host-order integer.</summary>
    public uint Ipv4Dst => (uint)_w7;

    /// <summary>IPv6 source address as a 128-bit big-endian number.</summary>
    public UInt128 Ipv6Src => new(_w4, _w5);

    /// <summary>IPv6 destination address as a 128-bit big-endian number.</summary>
    public UInt128 Ipv6Dst => new(_w6, _w7);

    /// <summary>ARP sender hardware address (arp_sha), 48 bits.</summary>
    public ulong ArpSha => _w8;

    /// <summary>ARP target hardware address (arp_tha), 48 bits.</summary>
    public ulong ArpTha => _w9;

    /// <summary>ARP opcode (arp_op); stored in nw_proto as OVS does.</summary>
    public ushort ArpOp => NwProto;

    /// <summary>Outer VLAN id (vlan_tci &amp; 0xfff).</summary>
    public ushort VlanVid => (ushort)(VlanTci & 0xfff);

    /// <summary>Outer VLAN priority code point (0..7).</summary>
    public byte VlanPcp => (byte)(VlanTci >> 13);

    /// <summary>True when the frame carries an outer VLAN tag ((vlan_tci &amp; 0x1000) != 0).</summary>
    public bool HasVlan => (VlanTci & VlanPresent) != 0;

    /// <summary>The hash of the ten words, computed once at construction.</summary>
    public int Hash => _hash;

    /// <summary>Word <paramref name="i"/> (0..9) of the packed key.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside 0..9.</exception>
    public ulong Word(int i) => i switch
    {
        0 => _w0,
        1 => _w1,
        2 => _w2,
        3 => _w3,
        4 => _w4,
        5 => _w5,
        6 => _w6,
        7 => _w7,
        8 => _w8,
        9 => _w9,
        _ => throw new ArgumentOutOfRangeException(nameof(i), i, "a flow key has words 0..9"),
    };

    /// <summary>
    /// Word 0 of <paramref name="key"/> by reference; words 1..9 follow it in memory (the struct is sequential), so
    /// <c>Unsafe.Add(ref first, i)</c> is word i without a switch. For the classifier's per-mask hash.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref ulong FirstWord(in FlowKey key) => ref Unsafe.AsRef(in key._w0);

    /// <summary>The same key with in_port replaced by <paramref name="port"/> (hash recomputed).</summary>
    public FlowKey WithInPort(ushort port) =>
        new((_w0 & ~0xffffUL) | port, _w1, _w2, _w3, _w4, _w5, _w6, _w7, _w8, _w9);

    /// <summary>The key ANDed word by word with <paramref name="m"/> (the form a megaflow stores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FlowKey Masked(in FlowMask m) => new(
        _w0 & m.W0, _w1 & m.W1, _w2 & m.W2, _w3 & m.W3, _w4 & m.W4,
        _w5 & m.W5, _w6 & m.W6, _w7 & m.W7, _w8 & m.W8, _w9 & m.W9);

    /// <summary>
    /// True when this key, masked with <paramref name="m"/>, equals <paramref name="maskedKey"/> (which must
    /// already be masked). Does not build the masked key, so no hash is computed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MatchesMasked(in FlowKey maskedKey, in FlowMask m) =>
        (_w0 & m.W0) == maskedKey._w0 && (_w1 & m.W1) == maskedKey._w1 && (_w2 & m.W2) == maskedKey._w2 &&
        (_w3 & m.W3) == maskedKey._w3 && (_w4 & m.W4) == maskedKey._w4 && (_w5 & m.W5) == maskedKey._w5 &&
        (_w6 & m.W6) == maskedKey._w6 && (_w7 & m.W7) == maskedKey._w7 && (_w8 & m.W8) == maskedKey._w8 &&
        (_w9 & m.W9) == maskedKey._w9;

    /// <summary>
    /// Convenience constructor for tests and the control plane: builds a key from named fields. IPv4 addresses
    /// are host-order integers (10.0.0.1 = 0x0a000001); for IPv6 pass <paramref name="ipv6Src"/>/<paramref name="ipv6Dst"/>
    /// (when non-zero they take precedence over the IPv4 arguments).
    /// </summary>
    public static FlowKey Create(
        ushort inPort,
        ulong dlSrc,
        ulong dlDst,
        ushort dlType,
        ushort vlanTci = 0,
        ushort vlanTci2 = 0,
        byte nwProto = 0,
        uint ipv4Src = 0,
        uint ipv4Dst = 0,
        ushort tpSrc = 0,
        ushort tpDst = 0,
        byte nwTos = 0,
        byte nwTtl = 0,
        byte nwFrag = 0,
        UInt128 ipv6Src = default,
        UInt128 ipv6Dst = default,
        ulong arpSha = 0,
        ulong arpTha = 0)
    {
        ulong w0 = inPort | ((ulong)dlType << 16) | ((ulong)vlanTci << 32) | ((ulong)vlanTci2 << 48);
        ulong w3 = nwProto | ((ulong)nwTos << 8) | ((ulong)nwTtl << 16) | ((ulong)nwFrag << 24) |
                   ((ulong)tpSrc << 32) | ((ulong)tpDst << 48);
        ulong w4 = 0, w5 = ipv4Src, w6 = 0, w7 = ipv4Dst;
        if (ipv6Src != UInt128.Zero)
        {
            w4 = (ulong)(ipv6Src >> 64);
            w5 = (ulong)ipv6Src;
        }

        if (ipv6Dst != UInt128.Zero)
        {
            w6 = (ulong)(ipv6Dst >> 64);
            w7 = (ulong)ipv6Dst;
        }

        return new FlowKey(w0, dlSrc & 0xffff_ffff_ffffUL, dlDst & 0xffff_ffff_ffffUL, w3, w4, w5, w6, w7,
            arpSha & 0xffff_ffff_ffffUL, arpTha & 0xffff_ffff_ffffUL);
    }

    /// <summary>Reads a 48-bit MAC address at the start of <paramref name="bytes"/> (network order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ReadMac(ReadOnlySpan<byte> bytes) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(FlowKey other) =>
        _hash == other._hash && _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3 &&
        _w4 == other._w4 && _w5 == other._w5 && _w6 == other._w6 && _w7 == other._w7 && _w8 == other._w8 &&
        _w9 == other._w9;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FlowKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <summary>The key in ODP form with an exact mask (see <see cref="FlowFormatter.FormatOdp"/>).</summary>
    public override string ToString() => FlowFormatter.FormatOdp(this, FlowMask.Exact);

    /// <summary>Key equality (all ten words).</summary>
    public static bool operator ==(FlowKey left, FlowKey right) => left.Equals(right);

    /// <summary>Key inequality.</summary>
    public static bool operator !=(FlowKey left, FlowKey right) => !left.Equals(right);
}
