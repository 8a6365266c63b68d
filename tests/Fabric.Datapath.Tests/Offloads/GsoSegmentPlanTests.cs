using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Tests.Ports;

namespace Fabric.Datapath.Tests.Offloads;

public sealed class GsoSegmentPlanTests
{
    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    public void A_super_frame_is_cut_into_mss_segments_with_their_own_lengths_ids_sequence_numbers_and_checksums(bool ipv6, int vlanTags)
    {
        byte[] payload = TcpFrames.Pattern(4000);
        byte[] frame = TcpFrames.Build(ipv6, payload, vlanTags, cwr: true);

        var segments = Segment(frame, TcpFrames.GsoHeader(ipv6, 1448, vlanTags));

        Assert.Equal([1448, 1448, 1104], segments.Select(s => s.Length - HeaderBytes(ipv6, vlanTags)));
        Check(frame, segments, ipv6, vlanTags, 1448);
    }

    [Fact]
    public void A_64_kb_tso_segment_becomes_46_segments_of_1448_bytes()
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(65535 - 20 - TcpFrames.TcpHeaderBytes));
        var segments = Segment(frame, TcpFrames.GsoHeader(false, 1448));
        Assert.Equal(46, segments.Count);
        Check(frame, segments, false, 0, 1448);
    }

    [Fact]
    public void A_payload_shorter_than_the_mss_gives_one_complete_segment()
    {
        byte[] frame = TcpFrames.Build(true, TcpFrames.Pattern(100));
        var segments = Segment(frame, TcpFrames.GsoHeader(true, 1448));
        Assert.Single(segments);
        Check(frame, segments, true, 0, 1448);
    }

    [Theory]
    [InlineData("ufo gso type")]
    [InlineData("uso type, tcp frame")]
    [InlineData("gso_size 0")]
    [InlineData("ipv6 frame, tcpv4 type")]
    [InlineData("not tcp")]
    [InlineData("fragment")]
    [InlineData("cut short")]
    [InlineData("tcp header length 4")]
    public void Frames_that_cannot_be_segmented_are_refused(string what)
    {
        byte[] frame = TcpFrames.Build(false, TcpFrames.Pattern(3000));
        VirtioNetHeader h = TcpFrames.GsoHeader(false, 1448);
        switch (what)
        {
            case "ufo gso type": h.GsoType = VirtioGsoType.Udp; break;
            case "uso type, tcp frame": h.GsoType = VirtioGsoType.UdpL4; break;
            case "gso_size 0": h.GsoSize = 0; break;
            case "ipv6 frame, tcpv4 type": frame = TcpFrames.Build(true, TcpFrames.Pattern(3000)); break;
            case "not tcp": frame[14 + 9] = 17; break;
            case "fragment": frame[14 + 6] = 0x20; break;
            case "cut short": frame = frame[..40]; break;
            case "tcp header length 4": frame[34 + 12] = 0x10; break;
        }

        Assert.False(GsoSegmentPlan.TryCreate(frame, h, out _));
    }

    [Fact]
    public void Any_payload_and_mss_reassemble_to_the_original_with_valid_checksums()
    {
        Gen<(bool V6, int Payload, int Mss, int Tags)> gen =
            from v6 in Gen.Elements(false, true)
            from p in Gen.Choose(0, 20000)
            from m in Gen.Choose(1, 9000)
            from t in Gen.Choose(0, 2)
            select (v6, p, m, t);
        Prop.ForAll(
                gen.ToArbitrary(),
                c =>
                {
                    byte[] frame = TcpFrames.Build(c.V6, TcpFrames.Pattern(c.Payload), c.Tags, seq: (uint)(c.Payload * 977));
                    Check(frame, Segment(frame, TcpFrames.GsoHeader(c.V6, c.Mss, c.Tags)), c.V6, c.Tags, c.Mss);
                })
            .QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(false, 4000, 1472)]
    [InlineData(true, 4000, 1452)]
    [InlineData(false, 1000, 1472)]
    [InlineData(true, 0, 1452)]
    public void A_udp_segment_super_frame_becomes_datagrams_with_their_own_lengths_ids_and_checksums(bool ipv6, int bytes, int size)
    {
        byte[] frame = TcpFrames.BuildUdp(ipv6, TcpFrames.Pattern(bytes));
        int l3 = 14, l4 = l3 + (ipv6 ? 40 : 20), headers = l4 + 8;

        var segments = Segment(frame, TcpFrames.UsoHeader(ipv6, size));

        Assert.Equal(Math.Max(1, (bytes + size - 1) / size), segments.Count);
        ushort id0 = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 4));
        var payload = new List<byte>();
        for (int i = 0; i < segments.Count; i++)
        {
            byte[] s = segments[i];
            Assert.Equal(Math.Min(size, bytes - (i * size)), s.Length - headers);
            Assert.Equal(s.Length - l4, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l4 + 4)));
            Assert.Equal(frame.AsSpan(l4, 4).ToArray(), s.AsSpan(l4, 4).ToArray());
            CheckIpHeader(s, l3, l4, ipv6, (ushort)(id0 + i));

            Assert.Equal(TcpFrames.L4Checksum(s, l3, l4, ipv6, 17, 6), BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l4 + 6)));
            payload.AddRange(s.AsSpan(headers).ToArray());
        }

        Assert.Equal(frame.AsSpan(headers).ToArray(), payload.ToArray());
    }

    /// <summary>Segment <paramref name="s"/>'s IP length fields (and, over IPv4, its identification and header checksum).</summary>
    private static void CheckIpHeader(byte[] s, int l3, int l4, bool ipv6, ushort id)
    {
        if (ipv6)
        {
            Assert.Equal(s.Length - l4, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l3 + 4)));
        }
        else
        {
            Assert.Equal(s.Length - l3, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l3 + 2)));
            Assert.Equal(id, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l3 + 4)));
            Assert.Equal(0, Frames.InternetChecksum(s.AsSpan(l3, 20)));
        }
    }

    private static int HeaderBytes(bool ipv6, int tags) => 14 + (4 * tags) + (ipv6 ? 40 : 20) + TcpFrames.TcpHeaderBytes;

    private static List<byte[]> Segment(byte[] frame, VirtioNetHeader h)
    {
        Assert.True(GsoSegmentPlan.TryCreate(frame, h, out GsoSegmentPlan plan));
        var list = new List<byte[]>();
        byte[] slot = new byte[plan.MaxSegmentLength];
        for (int i = 0; i < plan.Count; i++)
        {
            int n = plan.Write(frame, i, slot);
            Assert.True(n > 0);
            list.Add(slot[..n]);
        }

        Assert.Equal(0, plan.Write(frame, plan.Count, slot));
        return list;
    }

    private static void Check(byte[] original, List<byte[]> segments, bool ipv6, int tags, int mss)
    {
        int l3 = 14 + (4 * tags);
        int l4 = l3 + (ipv6 ? 40 : 20);
        int headers = l4 + TcpFrames.TcpHeaderBytes;
        uint seq0 = BinaryPrimitives.ReadUInt32BigEndian(original.AsSpan(l4 + 4));
        ushort id0 = BinaryPrimitives.ReadUInt16BigEndian(original.AsSpan(l3 + 4));
        var payload = new List<byte>();
        for (int i = 0; i < segments.Count; i++)
        {
            byte[] s = segments[i];
            bool last = i == segments.Count - 1;
            Assert.True(s.Length - headers <= mss);
            Assert.Equal(original.AsSpan(0, l3).ToArray(), s.AsSpan(0, l3).ToArray());
            CheckIpHeader(s, l3, l4, ipv6, (ushort)(id0 + i));

            Assert.Equal(unchecked(seq0 + (uint)(i * mss)), BinaryPrimitives.ReadUInt32BigEndian(s.AsSpan(l4 + 4)));
            byte flags = s[l4 + 13];
            byte expected = (byte)(original[l4 + 13] & (last ? 0xFF : ~0x09) & (i == 0 ? 0xFF : ~0x80));
            Assert.Equal(expected, flags);
            Assert.Equal(TcpFrames.TcpChecksum(s, l3, l4, ipv6), BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(l4 + 16)));
            payload.AddRange(s.AsSpan(headers).ToArray());
        }

        Assert.Equal(original.AsSpan(headers).ToArray(), payload.ToArray());
    }
}
