namespace Fabric.Datapath.Flows;

/// <summary>
/// Mutable builder for a <see cref="FlowMask"/>, like OVS's struct flow_wildcards: it starts fully wildcarded
/// and the slow path un-wildcards each field it consults while translating, so the resulting megaflow
/// covers exactly the packets that would be translated the same way (ovs-facts §3.1).
/// </summary>
public struct FlowWildcards
{
    private const ulong Mac48 = 0xffff_ffff_ffffUL;

    private ulong _w0;
    private ulong _w1;
    private ulong _w2;
    private ulong _w3;
    private ulong _w4;
    private ulong _w5;
    private ulong _w6;
    private ulong _w7;
    private ulong _w8;
    private ulong _w9;

    /// <summary>Starts from an existing mask (to widen it further with more un-wildcarded fields).</summary>
    public static FlowWildcards From(in FlowMask mask) => new()
    {
        _w0 = mask.W0, _w1 = mask.W1, _w2 = mask.W2, _w3 = mask.W3, _w4 = mask.W4,
        _w5 = mask.W5, _w6 = mask.W6, _w7 = mask.W7, _w8 = mask.W8, _w9 = mask.W9,
    };

    /// <summary>Matches in_port exactly.</summary>
    public void UnwildcardInPort() => _w0 |= 0xffffUL;

    /// <summary>Matches dl_type exactly.</summary>
    public void UnwildcardDlType() => _w0 |= 0xffffUL << 16;

    /// <summary>Matches the bits of the outer vlan_tci selected by <paramref name="mask"/> (default all 16).</summary>
    public void UnwildcardVlanTci(ushort mask = 0xffff) => _w0 |= (ulong)mask << 32;

    /// <summary>Matches the bits of the inner vlan_tci selected by <paramref name="mask"/> (default all 16).</summary>
    public void UnwildcardVlanTci2(ushort mask = 0xffff) => _w0 |= (ulong)mask << 48;

    /// <summary>Matches the bits of dl_src selected by <paramref name="mask"/> (default all 48).</summary>
    public void UnwildcardDlSrc(ulong mask = Mac48) => _w1 |= mask & Mac48;

    /// <summary>Matches the bits of dl_dst selected by <paramref name="mask"/> (default all 48).</summary>
    public void UnwildcardDlDst(ulong mask = Mac48) => _w2 |= mask & Mac48;

    /// <summary>Matches nw_proto (or the ARP opcode) exactly.</summary>
    public void UnwildcardNwProto() => _w3 |= 0xffUL;

    /// <summary>Matches the ARP opcode exactly (the same bits as nw_proto).</summary>
    public void UnwildcardArpOp() => UnwildcardNwProto();

    /// <summary>Matches the bits of nw_tos selected by <paramref name="mask"/> (default all 8).</summary>
    public void UnwildcardNwTos(byte mask = 0xff) => _w3 |= (ulong)mask << 8;

    /// <summary>Matches nw_ttl exactly.</summary>
    public void UnwildcardNwTtl() => _w3 |= 0xffUL << 16;

    /// <summary>Matches nw_frag exactly (OVS always does for IP flows: "frag=no").</summary>
    public void UnwildcardNwFrag() => _w3 |= 0xffUL << 24;

    /// <summary>Matches the bits of tp_src (or ICMP type) selected by <paramref name="mask"/>.</summary>
    public void UnwildcardTpSrc(ushort mask = 0xffff) => _w3 |= (ulong)mask << 32;

    /// <summary>Matches the bits of tp_dst (or ICMP code) selected by <paramref name="mask"/>.</summary>
    public void UnwildcardTpDst(ushort mask = 0xffff) => _w3 |= (ulong)mask << 48;

    /// <summary>Matches the whole nw_src (IPv4, ARP spa or IPv6) exactly.</summary>
    public void UnwildcardNwSrc()
    {
        _w4 = ulong.MaxValue;
        _w5 = ulong.MaxValue;
    }

    /// <summary>Matches the whole nw_dst (IPv4, ARP tpa or IPv6) exactly.</summary>
    public void UnwildcardNwDst()
    {
        _w6 = ulong.MaxValue;
        _w7 = ulong.MaxValue;
    }

    /// <summary>Matches the IPv4 (or ARP spa) source bits selected by <paramref name="mask"/> (e.g. 0xffffff00 for a /24).</summary>
    public void UnwildcardIpv4Src(uint mask = uint.MaxValue) => _w5 |= mask;

    /// <summary>Matches the IPv4 (or ARP tpa) destination bits selected by <paramref name="mask"/>.</summary>
    public void UnwildcardIpv4Dst(uint mask = uint.MaxValue) => _w7 |= mask;

    /// <summary>Matches the IPv6 source bits selected by <paramref name="mask"/>.</summary>
    public void UnwildcardIpv6Src(UInt128 mask)
    {
        _w4 |= (ulong)(mask >> 64);
        _w5 |= (ulong)mask;
    }

    /// <summary>Matches the IPv6 destination bits selected by <paramref name="mask"/>.</summary>
    public void UnwildcardIpv6Dst(UInt128 mask)
    {
        _w6 |= (ulong)(mask >> 64);
        _w7 |= (ulong)mask;
    }

    /// <summary>Matches arp_sha exactly.</summary>
    public void UnwildcardArpSha() => _w8 = Mac48;

    /// <summary>Matches arp_tha exactly.</summary>
    public void UnwildcardArpTha() => _w9 = Mac48;

    /// <summary>Un-wildcards every bit that is set in <paramref name="mask"/> (union of two masks).</summary>
    public void UnionWith(in FlowMask mask)
    {
        _w0 |= mask.W0;
        _w1 |= mask.W1;
        _w2 |= mask.W2;
        _w3 |= mask.W3;
        _w4 |= mask.W4;
        _w5 |= mask.W5;
        _w6 |= mask.W6;
        _w7 |= mask.W7;
        _w8 |= mask.W8;
        _w9 |= mask.W9;
    }

    /// <summary>The mask built so far.</summary>
    public readonly FlowMask ToMask() => new(_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7, _w8, _w9);
}
