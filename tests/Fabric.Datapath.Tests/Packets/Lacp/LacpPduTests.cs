using Fabric.Datapath.Packets.Lacp;
using Xunit;

namespace Fabric.Datapath.Tests.Packets.Lacp;

public class LacpPduTests
{
    private const ulong SourceMac = 0x001122334455UL;

    private static readonly LacpInfo Actor = new(
        0x8000, 0x00aabbccddeeUL, 0x0102, 0x00ff, 0x0007,
        LacpStateFlags.Activity | LacpStateFlags.Aggregation | LacpStateFlags.Synchronization
        | LacpStateFlags.Collecting | LacpStateFlags.Distributing); // 0x3d

    private static readonly LacpInfo Partner = new(
        0x0001, 0x0123456789abUL, 0x0304, 0x1000, 0x0009,
        LacpStateFlags.Activity | LacpStateFlags.Aggregation | LacpStateFlags.Defaulted); // 0x45

    /// <summary>The frame of <see cref="Actor"/>/<see cref="Partner"/> written out by hand from IEEE 802.1AX-2008
    /// Figure 5-8 (LACPDU structure), 124 bytes.</summary>
    private static byte[] HandWrittenFrame()
    {
        var f = new List<byte>
        {
            0x01, 0x80, 0xc2, 0x00, 0x00, 0x02,       // destination: slow protocols multicast
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55,       // source
            0x88, 0x09,                               // Length/Type: slow protocols
            0x01,                                     // subtype LACP
            0x01,                                     // version 1
            0x01, 0x14,                               // TLV actor, length 20
            0x80, 0x00,                               // actor system priority
            0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,       // actor system
            0x01, 0x02,                               // actor key
            0x00, 0xff,                               // actor port priority
            0x00, 0x07,                               // actor port
            0x3d,                                     // actor state
            0x00, 0x00, 0x00,                         // reserved
            0x02, 0x14,                               // TLV partner, length 20
            0x00, 0x01,                               // partner system priority
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab,       // partner system
            0x03, 0x04,                               // partner key
            0x10, 0x00,                               // partner port priority
            0x00, 0x09,                               // partner port
            0x45,                                     // partner state
            0x00, 0x00, 0x00,                         // reserved
            0x03, 0x10,                               // TLV collector, length 16
            0x00, 0x00,                               // CollectorMaxDelay
        };
        f.AddRange(new byte[12]);                     // reserved
        f.Add(0x00);                                  // TLV terminator
        f.Add(0x00);                                  // terminator length 0
        f.AddRange(new byte[50]);                     // reserved
        return f.ToArray();
    }

    [Fact]
    public void Hand_written_frame_is_124_bytes_with_the_tlvs_at_the_standard_offsets()
    {
        byte[] f = HandWrittenFrame();
        Assert.Equal(124, f.Length);
        Assert.Equal(LacpPdu.FrameLength, f.Length);
        Assert.Equal(LacpPdu.PduLength, f.Length - LacpPdu.EthHeaderLength);
        Assert.Equal(0x01, f[LacpPdu.ActorTlvOffset]);
        Assert.Equal(0x02, f[LacpPdu.PartnerTlvOffset]);
        Assert.Equal(0x03, f[LacpPdu.CollectorTlvOffset]);
        Assert.Equal(0x00, f[LacpPdu.TerminatorTlvOffset]);
    }

    [Fact]
    public void Compose_writes_exactly_the_standard_frame()
    {
        var buffer = new byte[200];
        Array.Fill(buffer, (byte)0xee);
        int n = LacpPdu.Compose(buffer, SourceMac, Actor, Partner);
        Assert.Equal(124, n);
        Assert.Equal(HandWrittenFrame(), buffer.AsSpan(0, n).ToArray());
        Assert.All(buffer.AsSpan(n).ToArray(), b => Assert.Equal(0xee, b)); // past the frame: untouched
    }

    [Fact]
    public void Compose_byte_offsets()
    {
        var f = new byte[LacpPdu.FrameLength];
        LacpPdu.Compose(f, SourceMac, Actor, Partner);
        Assert.Equal(new byte[] { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 }, f[0..6]);
        Assert.Equal(new byte[] { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, f[6..12]);
        Assert.Equal(new byte[] { 0x88, 0x09 }, f[12..14]);
        Assert.Equal(1, f[14]);
        Assert.Equal(1, f[15]);
        Assert.Equal(new byte[] { 1, 20 }, f[16..18]);
        Assert.Equal(new byte[] { 0x80, 0x00 }, f[18..20]);
        Assert.Equal(new byte[] { 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee }, f[20..26]);
        Assert.Equal(new byte[] { 0x01, 0x02 }, f[26..28]);
        Assert.Equal(new byte[] { 0x00, 0xff }, f[28..30]);
        Assert.Equal(new byte[] { 0x00, 0x07 }, f[30..32]);
        Assert.Equal(0x3d, f[32]);
        Assert.Equal(new byte[] { 2, 20 }, f[36..38]);
        Assert.Equal(new byte[] { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab }, f[40..46]);
        Assert.Equal(new byte[] { 0x00, 0x09 }, f[50..52]);
        Assert.Equal(0x45, f[52]);
        Assert.Equal(new byte[] { 3, 16, 0, 0 }, f[56..60]);
        Assert.Equal(new byte[] { 0, 0 }, f[72..74]);
    }

    [Fact]
    public void Parse_reads_the_hand_written_frame()
    {
        Assert.Equal(LacpParseResult.Lacp, LacpPdu.TryParse(HandWrittenFrame(), out LacpInfo a, out LacpInfo p));
        Assert.Equal(Actor, a);
        Assert.Equal(Partner, p);
    }

    [Fact]
    public void Round_trip_with_extreme_values()
    {
        var actor = new LacpInfo(ushort.MaxValue, 0xffffffffffffUL, ushort.MaxValue, ushort.MaxValue, ushort.MaxValue, (LacpStateFlags)0xff);
        var partner = new LacpInfo(0, 0, 0, 0, 0, LacpStateFlags.None);
        var f = new byte[LacpPdu.FrameLength];
        LacpPdu.Compose(f, 0xfeffffffffffUL, actor, partner);
        Assert.Equal(LacpParseResult.Lacp, LacpPdu.TryParse(f, out LacpInfo a, out LacpInfo p));
        Assert.Equal(actor, a);
        Assert.Equal(partner, p);
    }

    [Fact]
    public void Parse_ignores_trailing_padding_and_version()
    {
        byte[] f = [.. HandWrittenFrame(), 0xaa, 0xbb, 0xcc, 0xdd];
        f[15] = 2; // 802.1AX-2014 version 2: the first TLVs are the same; OVS does not check the version.
        Assert.Equal(LacpParseResult.Lacp, LacpPdu.TryParse(f, out LacpInfo a, out _));
        Assert.Equal(Actor, a);
    }

    [Fact]
    public void Compose_rejects_a_short_destination()
    {
        var small = new byte[123];
        Assert.Throws<ArgumentException>(() => LacpPdu.Compose(small, SourceMac, Actor, Partner));
        Assert.All(small, b => Assert.Equal(0, b));
    }

    public static TheoryData<string, int> TruncatedLengths() => new()
    {
        { "empty", 0 },
        { "half an ethernet header", 7 },
        { "ethernet header only", 14 },
        { "subtype only", 15 },
        { "through the actor tlv", 36 },
        { "one byte short", 123 },
    };

    [Theory]
    [MemberData(nameof(TruncatedLengths))]
    public void Truncated_frames_are_malformed(string name, int length)
    {
        _ = name;
        byte[] f = HandWrittenFrame()[..length];
        Assert.Equal(LacpParseResult.Malformed, LacpPdu.TryParse(f, out LacpInfo a, out LacpInfo p));
        Assert.Equal(default, a);
        Assert.Equal(default, p);
    }

    [Theory]
    [InlineData(LacpPdu.ActorTlvOffset, 0x04)]       // actor TLV type
    [InlineData(LacpPdu.ActorTlvOffset + 1, 19)]     // actor TLV length
    [InlineData(LacpPdu.ActorTlvOffset + 1, 21)]
    [InlineData(LacpPdu.PartnerTlvOffset, 0x01)]     // partner TLV type
    [InlineData(LacpPdu.PartnerTlvOffset + 1, 0)]    // partner TLV length
    [InlineData(LacpPdu.SubtypeOffset, 0)]           // subtype unused
    [InlineData(LacpPdu.SubtypeOffset, 3)]           // OAM, not ours
    [InlineData(LacpPdu.SubtypeOffset, 10)]          // OSSP
    public void Bad_subtype_or_tlv_headers_are_malformed(int offset, byte value)
    {
        byte[] f = HandWrittenFrame();
        f[offset] = value;
        Assert.Equal(LacpParseResult.Malformed, LacpPdu.TryParse(f, out LacpInfo a, out _));
        Assert.Equal(default, a);
    }

    [Fact]
    public void Marker_pdu_is_recognised()
    {
        // Marker Information PDU (802.1AX-2008 §5.5.3.2): subtype 2, version 1, TLV 1 length 16, port, system,
        // transaction id, pad, terminator, reserved: 110 bytes.
        var f = new byte[LacpPdu.FrameLength];
        LacpPdu.Compose(f, SourceMac, Actor, Partner);
        f.AsSpan(LacpPdu.SubtypeOffset).Clear();
        f[14] = 2;
        f[15] = 1;
        f[16] = 1;
        f[17] = 16;
        f[18] = 0x00;
        f[19] = 0x07;
        Assert.Equal(LacpParseResult.Marker, LacpPdu.TryParse(f, out LacpInfo a, out _));
        Assert.Equal(default, a);
        Assert.Equal(LacpParseResult.Malformed, LacpPdu.TryParse(f.AsSpan(0, 100), out _, out _)); // truncated marker
    }

    [Theory]
    [InlineData(0, 0x03)]  // another multicast destination
    [InlineData(5, 0x0e)]  // 01:80:c2:00:00:0e (LLDP)
    [InlineData(12, 0x81)] // EtherType 0x8109
    [InlineData(13, 0x00)] // EtherType 0x8800
    public void Other_destinations_or_ethertypes_are_not_slow_protocol(int offset, byte value)
    {
        byte[] f = HandWrittenFrame();
        f[offset] = value;
        Assert.Equal(LacpParseResult.NotSlowProtocol, LacpPdu.TryParse(f, out _, out _));
    }

    [Fact]
    public void A_vlan_tagged_frame_is_not_slow_protocol()
    {
        byte[] plain = HandWrittenFrame();
        byte[] tagged = [.. plain[..12], 0x81, 0x00, 0x00, 0x0a, .. plain[12..]];
        Assert.Equal(LacpParseResult.NotSlowProtocol, LacpPdu.TryParse(tagged, out _, out _));
    }

    [Fact]
    public void Constants_match_the_standard()
    {
        Assert.Equal(0x0180c2000002UL, LacpPdu.DestinationMac);
        Assert.Equal(0x8809, LacpPdu.EtherType);
        Assert.Equal(1, LacpPdu.SubtypeLacp);
        Assert.Equal(2, LacpPdu.SubtypeMarker);
        Assert.Equal(0x01, (byte)LacpStateFlags.Activity);
        Assert.Equal(0x02, (byte)LacpStateFlags.Timeout);
        Assert.Equal(0x04, (byte)LacpStateFlags.Aggregation);
        Assert.Equal(0x08, (byte)LacpStateFlags.Synchronization);
        Assert.Equal(0x10, (byte)LacpStateFlags.Collecting);
        Assert.Equal(0x20, (byte)LacpStateFlags.Distributing);
        Assert.Equal(0x40, (byte)LacpStateFlags.Defaulted);
        Assert.Equal(0x80, (byte)LacpStateFlags.Expired);
    }
}
