using System.Buffers.Binary;
using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Offloads;

/// <summary>
/// How one GSO super-frame is cut into segments in software: TCP (<see cref="VirtioGsoType.TcpV4"/>,
/// <see cref="VirtioGsoType.TcpV6"/>, as TCP segmentation offload does: RFC 793 sequence numbers) or UDP
/// (<see cref="VirtioGsoType.UdpL4"/>, as UDP segmentation offload does, Linux UDP_SEGMENT: one datagram per segment, each
/// with its own UDP length and checksum, RFC 768). The plan is found by <see cref="TryCreate"/> from the frame's own
/// headers (the vnet header's hdr_len and csum_start are only hints, virtio spec 1.1 §5.1.6.2): segment <c>i</c> carries
/// payload bytes <c>[i × Mss, (i + 1) × Mss)</c> behind a copy of the headers, with RFC 791/8200 lengths.
/// </summary>
/// <remarks>A value type; creating and writing segments allocate nothing.</remarks>
public readonly struct GsoSegmentPlan
{
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const int UdpHeaderBytes = 8;
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    private GsoSegmentPlan(int l3, int l4, int payloadStart, int payloadLength, int mss, bool ipv6, bool udp)
    {
        IsUdp = udp;
        L3Offset = l3;
        L4Offset = l4;
        PayloadStart = payloadStart;
        PayloadLength = payloadLength;
        Mss = mss;
        IsIpv6 = ipv6;
        Count = payloadLength == 0 ? 1 : (payloadLength + mss - 1) / mss;
    }

    /// <summary>Offset of the IP header in the frame (bytes; after the Ethernet header and any VLAN tags).</summary>
    public int L3Offset { get; }

    /// <summary>Offset of the TCP or UDP header (bytes).</summary>
    public int L4Offset { get; }

    /// <summary>Offset of the TCP or UDP payload: the length of the headers every segment repeats (bytes).</summary>
    public int PayloadStart { get; }

    /// <summary>TCP or UDP payload bytes of the super-frame.</summary>
    public int PayloadLength { get; }

    /// <summary>Payload bytes per segment (gso_size: the TCP MSS, or the UDP_SEGMENT size).</summary>
    public int Mss { get; }

    /// <summary>True over IPv6, false over IPv4.</summary>
    public bool IsIpv6 { get; }

    /// <summary>True for UDP segmentation (<see cref="VirtioGsoType.UdpL4"/>), false for TCP.</summary>
    public bool IsUdp { get; }

    /// <summary>Number of segments (at least 1).</summary>
    public int Count { get; }

    /// <summary>Bytes of the largest segment (the first): headers plus one MSS, or the whole frame if it is shorter.</summary>
    public int MaxSegmentLength => PayloadStart + Math.Min(Mss, PayloadLength);

    /// <summary>
    /// Reads the Ethernet (with up to two VLAN tags), IP and TCP or UDP headers of <paramref name="frame"/> and plans its
    /// segmentation by <paramref name="header"/>.gso_size.
    /// </summary>
    /// <returns>
    /// False when the frame cannot be segmented: a GSO type other than TCPv4, TCPv6 or UDP_L4 (UFO's IP fragments are not
    /// made), not TCP (or UDP) over IPv4 without fragmentation or over IPv6 without extension headers as the GSO type says,
    /// headers cut short, a header length out of range, or gso_size 0.
    /// </returns>
    public static bool TryCreate(ReadOnlySpan<byte> frame, in VirtioNetHeader header, out GsoSegmentPlan plan)
    {
        plan = default;
        VirtioGsoType type = header.BaseGsoType;
        int mss = header.GsoSize;
        bool udp = type == VirtioGsoType.UdpL4;
        if ((type != VirtioGsoType.TcpV4 && type != VirtioGsoType.TcpV6 && !udp) || mss == 0 || frame.Length < 14)
        {
            return false;
        }

        int off = 12;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[off..]);
        for (int tags = 0; tags < 2 && (etherType == PacketParser.TpidVlan || etherType == PacketParser.TpidQinQ); tags++)
        {
            off += 4;
            if (off + 2 > frame.Length)
            {
                return false;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[off..]);
        }

        int l3 = off + 2;
        int l4;
        bool ipv6 = udp ? etherType == PacketParser.EthTypeIpv6 : type == VirtioGsoType.TcpV6;
        byte protocol = udp ? ProtocolUdp : ProtocolTcp;
        if (!ipv6)
        {
            if (etherType != PacketParser.EthTypeIpv4 || l3 + 20 > frame.Length || frame[l3] >> 4 != 4)
            {
                return false;
            }

            int ihl = (frame[l3] & 0x0F) * 4;
            bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 6)..]) & 0x3FFF) != 0;
            if (ihl < 20 || frame[l3 + 9] != protocol || fragment)
            {
                return false;
            }

            l4 = l3 + ihl;
        }
        else
        {
            if (etherType != PacketParser.EthTypeIpv6 || l3 + 40 > frame.Length || frame[l3] >> 4 != 6 || frame[l3 + 6] != protocol)
            {
                return false;
            }

            l4 = l3 + 40;
        }

        int l4Header;
        if (udp)
        {
            l4Header = UdpHeaderBytes;
            if (l4 + UdpHeaderBytes > frame.Length)
            {
                return false;
            }
        }
        else
        {
            if (l4 + 20 > frame.Length)
            {
                return false;
            }

            l4Header = (frame[l4 + 12] >> 4) * 4;
            if (l4Header < 20)
            {
                return false;
            }
        }

        int payloadStart = l4 + l4Header;
        if (payloadStart > frame.Length)
        {
            return false;
        }

        plan = new GsoSegmentPlan(l3, l4, payloadStart, frame.Length - payloadStart, mss, ipv6, udp);
        return true;
    }

    /// <summary>
    /// For a frame that came without its virtio-net header (a packet-out from the slow path, which sees plain frames): when
    /// <paramref name="frame"/> is TCP over IPv4 or IPv6 whose IP packet is longer than <paramref name="mtu"/> bytes, it
    /// can only be a GSO super-frame whose header was lost, and <paramref name="header"/> becomes the header that cuts it
    /// into segments whose IP packets are at most <paramref name="segmentIpBytes"/> bytes (the checksum is rewritten whole
    /// in every segment, so the frame's own checksum field does not matter).
    /// </summary>
    /// <returns>False (header default) for any other frame, which then goes out as it is.</returns>
    public static bool TryInferTcpGso(ReadOnlySpan<byte> frame, int mtu, int segmentIpBytes, out VirtioNetHeader header)
    {
        header = default;
        if (frame.Length <= 14 + mtu)
        {
            return false;
        }

        foreach (VirtioGsoType type in (ReadOnlySpan<VirtioGsoType>)[VirtioGsoType.TcpV4, VirtioGsoType.TcpV6])
        {
            var probe = new VirtioNetHeader { GsoType = type, GsoSize = 1 };
            if (TryCreate(frame, probe, out GsoSegmentPlan plan) && frame.Length - plan.L3Offset > mtu)
            {
                int mss = segmentIpBytes - (plan.PayloadStart - plan.L3Offset);
                if (mss <= 0)
                {
                    return false;
                }

                header = new VirtioNetHeader
                {
                    Flags = VirtioNetFlags.NeedsCsum,
                    GsoType = type,
                    HdrLen = (ushort)plan.PayloadStart,
                    GsoSize = (ushort)mss,
                    CsumStart = (ushort)plan.L4Offset,
                    CsumOffset = 16,
                };
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes segment <paramref name="index"/> of <paramref name="frame"/> (the frame this plan was made from) into
    /// <paramref name="destination"/>: the headers with the IP total length (IPv4, with identification + index and a new
    /// header checksum) or payload length (IPv6); for TCP the sequence number advanced by index × MSS, FIN and PSH only on
    /// the last segment and CWR only on the first, and a complete TCP checksum (RFC 793 pseudo-header); for UDP the
    /// segment's UDP length and a complete UDP checksum (RFC 768 pseudo-header; a sum of 0 is sent as 0xFFFF).
    /// </summary>
    /// <returns>The segment's length in bytes, or 0 when <paramref name="destination"/> is too small or the index is out of range.</returns>
    public int Write(ReadOnlySpan<byte> frame, int index, Span<byte> destination)
    {
        if ((uint)index >= (uint)Count)
        {
            return 0;
        }

        int from = index * Mss;
        int chunk = Math.Min(Mss, PayloadLength - from);
        int length = PayloadStart + chunk;
        if (length > destination.Length)
        {
            return 0;
        }

        frame[..PayloadStart].CopyTo(destination);
        frame.Slice(PayloadStart + from, chunk).CopyTo(destination[PayloadStart..]);
        int l3 = L3Offset, l4 = L4Offset;
        int tcpLength = length - l4; // the L4 length: TCP or UDP header + payload
        if (IsIpv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(l3 + 4)..], (ushort)tcpLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(l3 + 2)..], (ushort)(length - l3));
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 4)..]);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(l3 + 4)..], (ushort)(id + index));
            destination[(l3 + 10)..(l3 + 12)].Clear();
            InternetChecksum.Write(destination[(l3 + 10)..], InternetChecksum.Add(destination[l3..l4]));
        }

        if (IsUdp)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(l4 + 4)..], (ushort)tcpLength);
            destination[(l4 + 6)..(l4 + 8)].Clear();
            InternetChecksum.Write(destination[(l4 + 6)..], L4Sum(destination, length, ProtocolUdp, tcpLength));
            return length;
        }

        uint seq = BinaryPrimitives.ReadUInt32BigEndian(frame[(l4 + 4)..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(l4 + 4)..], seq + (uint)from);
        byte flags = destination[l4 + 13];
        if (index != Count - 1)
        {
            flags &= unchecked((byte)~(TcpFin | TcpPsh));
        }

        if (index != 0)
        {
            flags &= unchecked((byte)~TcpCwr);
        }

        destination[l4 + 13] = flags;
        destination[(l4 + 16)..(l4 + 18)].Clear();
        InternetChecksum.Write(destination[(l4 + 16)..], L4Sum(destination, length, ProtocolTcp, tcpLength));
        return length;
    }

    /// <summary>The unfolded sum of the pseudo-header (addresses, <paramref name="protocol"/>, <paramref name="l4Length"/>) and the L4 header and payload of a segment.</summary>
    private ulong L4Sum(ReadOnlySpan<byte> segment, int length, byte protocol, int l4Length)
    {
        ulong sum = IsIpv6
            ? InternetChecksum.Add(segment.Slice(L3Offset + 8, 32))
            : InternetChecksum.Add(segment.Slice(L3Offset + 12, 8));
        sum = InternetChecksum.AddWord(protocol, sum);
        sum = InternetChecksum.AddWord((ushort)l4Length, sum);
        return InternetChecksum.Add(segment[L4Offset..length], sum);
    }
}
