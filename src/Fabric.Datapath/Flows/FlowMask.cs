namespace Fabric.Datapath.Flows;

/// <summary>
/// A megaflow mask: the same ten-word layout as <see cref="FlowKey"/>, where a 1 bit means "this bit of the
/// key was consulted and must match" and a 0 bit means wildcarded (OVS struct flow_wildcards). Masks are
/// built with <see cref="FlowWildcards"/>; the hash is computed once, at construction.
/// </summary>
public readonly struct FlowMask : IEquatable<FlowMask>
{
    private readonly int _hash;

    /// <summary>Builds a mask from its ten words (layout as <see cref="FlowKey"/>) and computes its hash.</summary>
    public FlowMask(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5, ulong w6, ulong w7, ulong w8, ulong w9)
    {
        W0 = w0;
        W1 = w1;
        W2 = w2;
        W3 = w3;
        W4 = w4;
        W5 = w5;
        W6 = w6;
        W7 = w7;
        W8 = w8;
        W9 = w9;
        _hash = FlowHash.Hash(w0, w1, w2, w3, w4, w5, w6, w7, w8, w9);
    }

    /// <summary>The all-ones mask: every field matched exactly (a microflow).</summary>
    public static FlowMask Exact { get; } = new(
        ulong.MaxValue, 0xffff_ffff_ffffUL, 0xffff_ffff_ffffUL, ulong.MaxValue, ulong.MaxValue,
        ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, 0xffff_ffff_ffffUL, 0xffff_ffff_ffffUL);

    /// <summary>The all-zero mask: every field wildcarded (matches every packet).</summary>
    public static FlowMask CatchAll { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    internal ulong W0 { get; }

    internal ulong W1 { get; }

    internal ulong W2 { get; }

    internal ulong W3 { get; }

    internal ulong W4 { get; }

    internal ulong W5 { get; }

    internal ulong W6 { get; }

    internal ulong W7 { get; }

    internal ulong W8 { get; }

    internal ulong W9 { get; }

    /// <summary>The hash of the ten words, computed once at construction.</summary>
    public int Hash => _hash;

    /// <summary>in_port mask (bits 0-15 of word 0).</summary>
    public ushort InPort => (ushort)W0;

    /// <summary>dl_type mask.</summary>
    public ushort DlType => (ushort)(W0 >> 16);

    /// <summary>Outer vlan_tci mask.</summary>
    public ushort VlanTci => (ushort)(W0 >> 32);

    /// <summary>Inner vlan_tci mask.</summary>
    public ushort VlanTci2 => (ushort)(W0 >> 48);

    /// <summary>dl_src mask (48 bits).</summary>
    public ulong DlSrc => W1;

    /// <summary>dl_dst mask (48 bits).</summary>
    public ulong DlDst => W2;

    /// <summary>nw_proto (or ARP opcode) mask.</summary>
    public byte NwProto => (byte)W3;

    /// <summary>nw_tos mask.</summary>
    public byte NwTos => (byte)(W3 >> 8);

    /// <summary>nw_ttl mask.</summary>
    public byte NwTtl => (byte)(W3 >> 16);

    /// <summary>nw_frag mask.</summary>
    public byte NwFrag => (byte)(W3 >> 24);

    /// <summary>tp_src mask.</summary>
    public ushort TpSrc => (ushort)(W3 >> 32);

    /// <summary>tp_dst mask.</summary>
    public ushort TpDst => (ushort)(W3 >> 48);

    /// <summary>IPv4 nw_src mask.</summary>
    public uint Ipv4Src => (uint)W5;

    /// <summary>IPv4 nw_dst mask.</summary>
    public uint Ipv4Dst => (uint)W7;

    /// <summary>IPv6 nw_src mask.</summary>
    public UInt128 Ipv6Src => new(W4, W5);

    /// <summary>IPv6 nw_dst mask.</summary>
    public UInt128 Ipv6Dst => new(W6, W7);

    /// <summary>arp_sha mask.</summary>
    public ulong ArpSha => W8;

    /// <summary>arp_tha mask.</summary>
    public ulong ArpTha => W9;

    /// <summary>Word <paramref name="i"/> (0..9) of the mask.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside 0..9.</exception>
    public ulong Word(int i) => i switch
    {
        0 => W0,
        1 => W1,
        2 => W2,
        3 => W3,
        4 => W4,
        5 => W5,
        6 => W6,
        7 => W7,
        8 => W8,
        9 => W9,
        _ => throw new ArgumentOutOfRangeException(nameof(i), i, "a flow mask has words 0..9"),
    };

    /// <inheritdoc/>
    public bool Equals(FlowMask other) =>
        _hash == other._hash && W0 == other.W0 && W1 == other.W1 && W2 == other.W2 && W3 == other.W3 &&
        W4 == other.W4 && W5 == other.W5 && W6 == other.W6 && W7 == other.W7 && W8 == other.W8 && W9 == other.W9;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FlowMask other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <summary>The ten words in hex, for diagnostics.</summary>
    public override string ToString() =>
        $"{W0:x16}.{W1:x12}.{W2:x12}.{W3:x16}.{W4:x16}.{W5:x16}.{W6:x16}.{W7:x16}.{W8:x12}.{W9:x12}";

    /// <summary>Mask equality (all ten words).</summary>
    public static bool operator ==(FlowMask left, FlowMask right) => left.Equals(right);

    /// <summary>Mask inequality.</summary>
    public static bool operator !=(FlowMask left, FlowMask right) => !left.Equals(right);
}
