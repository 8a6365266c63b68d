using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;
using Xunit;

namespace Fabric.Datapath.Tests.Bonds;

public class BondHashTests
{
    private const ulong Mac1 = 0x505400000001;
    private const ulong Mac2 = 0x505400000002;
    private const uint IpA = 0x0a000001; // 10.0.0.1
    private const uint IpB = 0x0a000002; // 10.0.0.2
    private static readonly UInt128 V6A = UInt128.Parse("42540766411282592856903984951653826561"); // 2001:db8::1
    private static readonly UInt128 V6B = V6A + 1;
    public static uint Sink { get; private set; }

    private static FlowKey Tcp4(ushort sport = 1234, ushort dport = 80, byte ttl = 64, ulong dlSrc = Mac1) =>
        FlowKey.Create(1, dlSrc, Mac2, 0x0800, nwProto: 6, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: sport, tpDst: dport, nwTtl: ttl);

    [Fact]
    public void Constants_match_ovs_bond_buckets()
    {
        Assert.Equal(256, BondHash.Buckets);
        Assert.Equal(0xff, BondHash.BucketMask);
        Assert.Equal(0x34, BondHash.Bucket(0x12345634u));
        Assert.Equal(255, BondHash.Bucket(uint.MaxValue));
    }

    [Fact]
    public void SlbHash_is_deterministic_and_depends_on_mac_vlan_and_basis()
    {
        uint h = BondHash.SlbHash(Mac1, 10, 0);
        Assert.Equal(h, BondHash.SlbHash(Mac1, 10, 0));
        Assert.NotEqual(h, BondHash.SlbHash(Mac2, 10, 0));
        Assert.NotEqual(h, BondHash.SlbHash(Mac1, 11, 0));
        Assert.NotEqual(h, BondHash.SlbHash(Mac1, 0, 0));
        Assert.NotEqual(h, BondHash.SlbHash(Mac1, 10, 1));
        Assert.NotEqual(BondHash.SlbHash(Mac1, 10, 1), BondHash.SlbHash(Mac1, 10, 2));
    }

    [Fact]
    public void SlbHash_uses_only_the_48_mac_bits_and_the_12_vid_bits()
    {
        Assert.Equal(BondHash.SlbHash(Mac1, 10, 7), BondHash.SlbHash(Mac1 | (0xabcdUL << 48), 10, 7));
        Assert.Equal(BondHash.SlbHash(Mac1, 10, 7), BondHash.SlbHash(Mac1, 0x3000 | 10, 7));
    }

    [Fact]
    public void SlbHash_vlan_changes_the_bucket_of_some_macs()
    {
        // A 32-bit hash difference could still land in the same bucket; over 64 MACs the VLAN must move most of them.
        int moved = 0;
        for (ulong i = 0; i < 64; i++)
        {
            if (BondHash.Bucket(BondHash.SlbHash(Mac1 + i, 0, 0)) != BondHash.Bucket(BondHash.SlbHash(Mac1 + i, 100, 0)))
            {
                moved++;
            }
        }

        Assert.True(moved > 48, $"only {moved} of 64 MACs changed bucket with the VLAN");
    }

    [Fact]
    public void SlbHash_spreads_10000_random_macs_evenly_over_256_buckets()
    {
        var rng = new Random(20260723);
        var counts = new int[BondHash.Buckets];
        const int n = 10_000;
        for (int i = 0; i < n; i++)
        {
            ulong mac = (ulong)rng.NextInt64() & 0xffff_ffff_ffffUL;
            counts[BondHash.Bucket(BondHash.SlbHash(mac, 0, 0))]++;
        }

        AssertEven(counts, n);
    }

    [Fact]
    public void SlbHash_spreads_sequential_macs_evenly_over_256_buckets()
    {
        // Labs and VM managers hand out consecutive addresses (52:54:00:…:01, …:02, …).
        var counts = new int[BondHash.Buckets];
        const int n = 10_000;
        for (int i = 0; i < n; i++)
        {
            counts[BondHash.Bucket(BondHash.SlbHash(0x525400000000UL + (ulong)i, 5, 0))]++;
        }

        AssertEven(counts, n);
    }

    [Fact]
    public void TcpHash_spreads_10000_random_tcp_flows_evenly_over_256_buckets()
    {
        var rng = new Random(42);
        var counts = new int[BondHash.Buckets];
        const int n = 10_000;
        for (int i = 0; i < n; i++)
        {
            FlowKey key = FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: 6, ipv4Src: IpA, ipv4Dst: IpB,
                tpSrc: (ushort)rng.Next(1024, 65536), tpDst: 443);
            counts[BondHash.Bucket(BondHash.TcpHash(key, 0))]++;
        }

        AssertEven(counts, n);
    }

    [Fact]
    public void TcpHash_is_deterministic_and_depends_on_the_basis()
    {
        FlowKey k = Tcp4();
        Assert.Equal(BondHash.TcpHash(k, 0), BondHash.TcpHash(Tcp4(), 0));
        Assert.NotEqual(BondHash.TcpHash(k, 0), BondHash.TcpHash(k, 1));
    }

    [Fact]
    public void TcpHash_reads_addresses_protocol_and_both_ports()
    {
        uint h = BondHash.TcpHash(Tcp4(), 0);
        Assert.NotEqual(h, BondHash.TcpHash(Tcp4(sport: 1235), 0));
        Assert.NotEqual(h, BondHash.TcpHash(Tcp4(dport: 81), 0));
        Assert.NotEqual(h, BondHash.TcpHash(FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: 6, ipv4Src: IpA + 5, ipv4Dst: IpB, tpSrc: 1234, tpDst: 80), 0));
        Assert.NotEqual(h, BondHash.TcpHash(FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: 6, ipv4Src: IpA, ipv4Dst: IpB + 5, tpSrc: 1234, tpDst: 80), 0));
        Assert.NotEqual(h, BondHash.TcpHash(FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: 17, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: 1234, tpDst: 80), 0));
        // Not symmetric (flow_hash_5tuple is not): the reverse direction may land elsewhere.
        Assert.NotEqual(h, BondHash.TcpHash(FlowKey.Create(1, Mac2, Mac1, 0x0800, nwProto: 6, ipv4Src: IpB, ipv4Dst: IpA, tpSrc: 80, tpDst: 1234), 0));
    }

    [Fact]
    public void TcpHash_ignores_fields_it_does_not_read()
    {
        uint h = BondHash.TcpHash(Tcp4(), 0);
        Assert.Equal(h, BondHash.TcpHash(Tcp4(ttl: 3), 0));
        Assert.Equal(h, BondHash.TcpHash(Tcp4(dlSrc: 0x020000000099), 0));
        Assert.Equal(h, BondHash.TcpHash(
            FlowKey.Create(9, 0x0a0b0c0d0e0f, 0xffffffffffff, 0x0800, vlanTci: 0x1000 | 42, nwProto: 6, ipv4Src: IpA, ipv4Dst: IpB,
                tpSrc: 1234, tpDst: 80, nwTos: 0xb8, nwTtl: 1, nwFrag: FlowKey.FragFirst), 0));
    }

    [Fact]
    public void TcpHash_reads_no_ports_for_other_ip_protocols()
    {
        // GRE (47): addresses and protocol only; a key with stray L4 values hashes the same.
        FlowKey gre = FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: 47, ipv4Src: IpA, ipv4Dst: IpB);
        FlowKey greWithPorts = FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: 47, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: 5, tpDst: 6);
        Assert.Equal(BondHash.TcpHash(gre, 3), BondHash.TcpHash(greWithPorts, 3));

        foreach (byte proto in new byte[] { 1, 6, 17, 58, 132 })
        {
            FlowKey a = FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: proto, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: 5, tpDst: 6);
            FlowKey b = FlowKey.Create(1, Mac1, Mac2, 0x0800, nwProto: proto, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: 5, tpDst: 7);
            Assert.NotEqual(BondHash.TcpHash(a, 3), BondHash.TcpHash(b, 3));
        }
    }

    [Fact]
    public void TcpHash_reads_ipv6_addresses_and_arp_addresses()
    {
        FlowKey v6 = FlowKey.Create(1, Mac1, Mac2, 0x86dd, nwProto: 17, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 546, tpDst: 547);
        FlowKey v6OtherSrc = FlowKey.Create(1, Mac1, Mac2, 0x86dd, nwProto: 17, ipv6Src: V6A + (UInt128.One << 100), ipv6Dst: V6B, tpSrc: 546, tpDst: 547);
        Assert.NotEqual(BondHash.TcpHash(v6, 0), BondHash.TcpHash(v6OtherSrc, 0));

        FlowKey arp = FlowKey.Create(1, Mac1, Mac2, 0x0806, nwProto: 2, ipv4Src: IpA, ipv4Dst: IpB, arpSha: Mac1, arpTha: Mac2);
        FlowKey arpOtherTpa = FlowKey.Create(1, Mac1, Mac2, 0x0806, nwProto: 2, ipv4Src: IpA, ipv4Dst: IpB + 1, arpSha: Mac1, arpTha: Mac2);
        FlowKey arpOtherSha = FlowKey.Create(1, Mac1, Mac2, 0x0806, nwProto: 2, ipv4Src: IpA, ipv4Dst: IpB, arpSha: Mac2, arpTha: Mac2);
        Assert.NotEqual(BondHash.TcpHash(arp, 0), BondHash.TcpHash(arpOtherTpa, 0));
        Assert.Equal(BondHash.TcpHash(arp, 0), BondHash.TcpHash(arpOtherSha, 0));
    }

    [Fact]
    public void TcpHash_of_non_ip_depends_only_on_the_basis()
    {
        FlowKey lldp = FlowKey.Create(1, Mac1, 0x0180c200000e, 0x88cc);
        FlowKey other = FlowKey.Create(7, Mac2, Mac1, 0x88b5, vlanTci: 0x1000 | 3, nwProto: 6, tpSrc: 9);
        Assert.Equal(BondHash.TcpHash(lldp, 5), BondHash.TcpHash(other, 5));
        Assert.NotEqual(BondHash.TcpHash(lldp, 5), BondHash.TcpHash(lldp, 6));
    }

    public static TheoryData<string, FlowKey> Keys() => new()
    {
        { "ipv4 tcp", Tcp4() },
        { "ipv4 udp", FlowKey.Create(2, Mac1, Mac2, 0x0800, vlanTci: 0x1000 | 10, nwProto: 17, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: 5000, tpDst: 53, nwTtl: 9) },
        { "ipv4 icmp", FlowKey.Create(2, Mac1, Mac2, 0x0800, nwProto: 1, ipv4Src: IpA, ipv4Dst: IpB, tpSrc: 8, tpDst: 0, nwTtl: 64) },
        { "ipv4 gre", FlowKey.Create(2, Mac1, Mac2, 0x0800, nwProto: 47, ipv4Src: IpA, ipv4Dst: IpB, nwTtl: 64) },
        { "ipv6 tcp", FlowKey.Create(2, Mac1, Mac2, 0x86dd, nwProto: 6, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 40000, tpDst: 22, nwTtl: 64) },
        { "ipv6 icmpv6", FlowKey.Create(2, Mac1, Mac2, 0x86dd, nwProto: 58, ipv6Src: V6A, ipv6Dst: V6B, tpSrc: 135, tpDst: 0, nwTtl: 255) },
        { "arp request", FlowKey.Create(2, Mac1, 0xffffffffffff, 0x0806, nwProto: 1, ipv4Src: IpA, ipv4Dst: IpB, arpSha: Mac1) },
        { "arp reply", FlowKey.Create(2, Mac1, Mac2, 0x0806, nwProto: 2, ipv4Src: IpA, ipv4Dst: IpB, arpSha: Mac1, arpTha: Mac2) },
        { "lldp", FlowKey.Create(2, Mac1, 0x0180c200000e, 0x88cc) },
    };

    /// <summary>
    /// Flips every bit of every key word, one at a time: a flip changes the hash iff the bit is in the mask that
    /// <see cref="BondHash.UnwildcardTcpHashFields"/> builds (dl_type aside: it is always un-wildcarded, and for a
    /// non-IP key flipping it leaves the key non-IP, so the hash stays the basis-only value).
    /// </summary>
    [Theory]
    [MemberData(nameof(Keys))]
    public void Unwildcarded_mask_covers_exactly_the_bits_that_change_the_hash(string name, FlowKey key)
    {
        var wc = default(FlowWildcards);
        BondHash.UnwildcardTcpHashFields(key, ref wc);
        FlowMask mask = wc.ToMask();
        Assert.Equal(0xffff, mask.DlType);

        bool isIp = key.DlType is 0x0800 or 0x0806 or 0x86dd;
        uint h = BondHash.TcpHash(key, 77);
        for (int w = 0; w < FlowKey.WordCount; w++)
        {
            for (int bit = 0; bit < 64; bit++)
            {
                ulong flip = 1UL << bit;
                bool inMask = (MaskWord(mask, w) & flip) != 0;
                bool isDlTypeBit = w == 0 && bit is >= 16 and < 32;
                FlowKey flipped = WithWord(key, w, key.Word(w) ^ flip);
                bool changed = BondHash.TcpHash(flipped, 77) != h;
                if (changed)
                {
                    Assert.True(inMask, $"{name}: word {w} bit {bit} changes the hash but is wildcarded");
                }
                else if (!isDlTypeBit || isIp)
                {
                    Assert.False(inMask, $"{name}: word {w} bit {bit} is un-wildcarded but does not change the hash");
                }
            }
        }
    }

    [Fact]
    public void Unwildcarding_only_adds_bits()
    {
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        BondHash.UnwildcardTcpHashFields(Tcp4(), ref wc);
        FlowMask mask = wc.ToMask();
        Assert.Equal(0xffff, mask.InPort);
        Assert.Equal(0xffff_ffff_ffffUL, mask.DlSrc);
        Assert.Equal(0xff, mask.NwProto);
    }

    [Fact]
    public void Hashing_does_not_allocate()
    {
        FlowKey k = Tcp4();
        uint sink = BondHash.TcpHash(k, 0) ^ BondHash.SlbHash(Mac1, 1, 0);
        var wc = default(FlowWildcards);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sink ^= BondHash.TcpHash(k, (uint)i);
            sink ^= BondHash.SlbHash(Mac1 + (ulong)i, i & 0xfff, 0);
            BondHash.UnwildcardTcpHashFields(k, ref wc);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Sink = sink;
    }

    private static void AssertEven(int[] counts, int n)
    {
        double mean = (double)n / counts.Length;
        int max = counts.Max();
        int min = counts.Min();
        Assert.True(max <= 3 * mean, $"fullest bucket holds {max}, mean {mean:F1}");
        Assert.True(min >= mean / 3, $"emptiest bucket holds {min}, mean {mean:F1}");
    }

    private static ulong MaskWord(in FlowMask m, int w) => w switch
    {
        0 => m.W0,
        1 => m.W1,
        2 => m.W2,
        3 => m.W3,
        4 => m.W4,
        5 => m.W5,
        6 => m.W6,
        7 => m.W7,
        8 => m.W8,
        _ => m.W9,
    };

    private static FlowKey WithWord(in FlowKey k, int w, ulong value)
    {
        Span<ulong> words = stackalloc ulong[FlowKey.WordCount];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = k.Word(i);
        }

        words[w] = value;
        return new FlowKey(words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7], words[8], words[9]);
    }
}
