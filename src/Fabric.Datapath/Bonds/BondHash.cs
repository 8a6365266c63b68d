using System.Numerics;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Bonds;

/// <summary>
/// The hashes that pick a bond's bucket (ovs-facts §1.2): <see cref="SlbHash"/> for balance-slb (source MAC and
/// logical VLAN, OVS <c>lib/packets.h:hash_mac</c> over <c>lib/hash.h:hash_uint64_basis</c>) and
/// <see cref="TcpHash"/> for balance-tcp (the L3/L4 5-tuple, OVS <c>lib/flow.c:flow_hash_5tuple</c>), plus the
/// bucket index (<see cref="Bucket"/>, OVS <c>hash &amp; BOND_MASK</c>) and the megaflow un-wildcarding that goes
/// with the 5-tuple hash.
/// </summary>
/// <remarks>
/// The 32-bit mix is Murmur3-style (per-word multiply-rotate, then the 32-bit avalanche finaliser), the same
/// construction as OVS's portable <c>lib/hash.h</c>; OVS on x86-64 uses CRC32 instead, so <c>bond/hash</c>
/// results are platform dependent there and are not matched bit for bit here (ovs-facts §1.2). Everything is
/// allocation-free and branch-light: these run on the slow path for every bonded output and in
/// <c>bond/hash</c>.
/// </remarks>
public static class BondHash
{
    /// <summary>Number of hash buckets per bond (OVS <c>lib/dpif.h:BOND_BUCKETS</c>).</summary>
    public const int Buckets = 256;

    /// <summary>Mask that turns a 32-bit hash into a bucket index 0..255 (OVS <c>lib/dpif.h:BOND_MASK</c>).</summary>
    public const int BucketMask = 0xff;

    private const ulong Mac48 = 0xffff_ffff_ffffUL;
    private const byte ProtoIcmp = 1;
    private const byte ProtoTcp = 6;
    private const byte ProtoUdp = 17;
    private const byte ProtoIcmpv6 = 58;
    private const byte ProtoSctp = 132;

    /// <summary>
    /// balance-slb hash of a source MAC in a logical VLAN: the 64-bit word <c>(vid &lt;&lt; 48) | mac48</c> mixed
    /// with <paramref name="basis"/> into 32 bits (OVS <c>lib/packets.h:hash_mac</c>, <c>hash_uint64_basis</c>).
    /// </summary>
    /// <param name="mac">Ethernet address, 48 bits in network order in the low bits (higher bits are ignored).</param>
    /// <param name="vlan">The packet's logical VLAN id (the access VLAN on access ports, 0 for none); only the
    /// 12 VID bits are used.</param>
    /// <param name="basis">Port <c>other_config:bond-hash-basis</c> (default 0).</param>
    /// <returns>The 32-bit hash; <see cref="Bucket"/> turns it into a bucket index.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint SlbHash(ulong mac, int vlan, uint basis)
    {
        ulong word = ((ulong)(uint)(vlan & 0xfff) << 48) | (mac & Mac48);
        return Finish(Add64(basis, word), 8);
    }

    /// <summary>
    /// balance-tcp hash of a flow's 5-tuple, following OVS <c>lib/flow.c:flow_hash_5tuple</c>: for IPv6 the
    /// source and destination addresses, for IPv4 and ARP (0x0806) nw_src and nw_dst (the ARP spa/tpa); then
    /// nw_proto; then, only when nw_proto is TCP (6), UDP (17), SCTP (132), ICMP (1) or ICMPv6 (58), tp_src and
    /// tp_dst together as one 32-bit word. Any other dl_type hashes nothing but <paramref name="basis"/>.
    /// </summary>
    /// <remarks>
    /// As in OVS, ARP keeps its opcode in nw_proto, so an ARP request (opcode 1 = the ICMP number) also reads
    /// the (zero) L4 ports; <see cref="UnwildcardTcpHashFields"/> mirrors that. Non-first fragments carry zero
    /// ports, also as OVS.
    /// </remarks>
    /// <param name="key">The flow key (dl_type, nw_src/nw_dst, nw_proto, tp_src/tp_dst are read).</param>
    /// <param name="basis">Port <c>other_config:bond-hash-basis</c> (default 0).</param>
    /// <returns>The 32-bit hash; <see cref="Bucket"/> turns it into a bucket index.</returns>
    public static uint TcpHash(in FlowKey key, uint basis)
    {
        uint hash = basis;
        switch (key.DlType)
        {
            case 0x86dd:
                UInt128 src = key.Ipv6Src, dst = key.Ipv6Dst;
                hash = Add64(hash, (ulong)(src >> 64));
                hash = Add64(hash, (ulong)src);
                hash = Add64(hash, (ulong)(dst >> 64));
                hash = Add64(hash, (ulong)dst);
                break;
            case 0x0800:
            case 0x0806:
                hash = Add(hash, key.Ipv4Src);
                hash = Add(hash, key.Ipv4Dst);
                break;
            default:
                return Finish(hash, 42);
        }

        byte proto = key.NwProto;
        hash = Add(hash, proto);
        if (HashesPorts(proto))
        {
            hash = Add(hash, ((uint)key.TpSrc << 16) | key.TpDst);
        }

        return Finish(hash, 42);
    }

    /// <summary>The bucket index 0..255 of a 32-bit bond hash (<c>hash &amp; BOND_MASK</c>, OVS <c>ofproto/bond.c:lookup_bond_entry</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Bucket(uint hash) => (int)(hash & BucketMask);

    /// <summary>
    /// Un-wildcards in <paramref name="wc"/> exactly the fields <see cref="TcpHash"/> reads for
    /// <paramref name="key"/>, so the megaflow covers only packets that land in the same bucket: always dl_type
    /// (which the caller has normally un-wildcarded already); for IPv6 all 128 bits of nw_src and nw_dst; for
    /// IPv4/ARP the 32-bit nw_src and nw_dst; for those three nw_proto; and tp_src and tp_dst when nw_proto is
    /// TCP, UDP, SCTP, ICMP or ICMPv6 (OVS <c>lib/flow.c:flow_hash_5tuple</c>; the un-wildcarding follows what it
    /// reads rather than OVS's symmetric <c>flow_mask_hash_fields</c> set, since the hash is not symmetric).
    /// </summary>
    /// <param name="key">The flow being translated.</param>
    /// <param name="wc">The megaflow wildcards being built; only bits are added, none removed.</param>
    public static void UnwildcardTcpHashFields(in FlowKey key, ref FlowWildcards wc)
    {
        wc.UnwildcardDlType();
        switch (key.DlType)
        {
            case 0x86dd:
                wc.UnwildcardNwSrc();
                wc.UnwildcardNwDst();
                break;
            case 0x0800:
            case 0x0806:
                wc.UnwildcardIpv4Src();
                wc.UnwildcardIpv4Dst();
                break;
            default:
                return;
        }

        wc.UnwildcardNwProto();
        if (HashesPorts(key.NwProto))
        {
            wc.UnwildcardTpSrc();
            wc.UnwildcardTpDst();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HashesPorts(byte proto) =>
        proto is ProtoTcp or ProtoUdp or ProtoSctp or ProtoIcmp or ProtoIcmpv6;

    /// <summary>Mixes one 32-bit word into the running hash (Murmur3 body step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Add(uint hash, uint data)
    {
        data *= 0xcc9e2d51u;
        data = BitOperations.RotateLeft(data, 15);
        data *= 0x1b873593u;
        hash ^= data;
        hash = BitOperations.RotateLeft(hash, 13);
        return (hash * 5) + 0xe6546b64u;
    }

    /// <summary>Mixes a 64-bit word as its low then its high half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Add64(uint hash, ulong data) => Add(Add(hash, (uint)data), (uint)(data >> 32));

    /// <summary>Folds in a final word and avalanches every input bit into every output bit (Murmur3 fmix32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finish(uint hash, uint final)
    {
        hash ^= final;
        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        hash ^= hash >> 16;
        return hash;
    }
}
