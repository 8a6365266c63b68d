using System.Buffers.Binary;
using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Offloads;

/// <summary>
/// How one TCP GSO super-frame (<see cref="VirtioGsoType.TcpV4"/> or <see cref="VirtioGsoType.TcpV6"/>) is cut into
/// segments, found by <see cref="TryCreate"/> from the frame's own headers (the vnet header's hdr_len and csum_start are
/// only hints, virtio spec 1.1 §5.1.6.2): segment <c>i</c> carries payload bytes <c>[i × Mss, (i + 1) × Mss)</c> behind a
/// copy of the headers, as TCP segmentation offload does (RFC 793 sequence numbers, RFC 791/8200 lengths).
/// </summary>
/// <remarks>A value type; creating and writing segments allocate nothing.</remarks>
public readonly struct TcpSegmentPlan
{
    private const byte ProtocolTcp = 6;
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    private TcpSegmentPlan(int l3, int l4, int payloadStart, int payloadLength, int mss, bool ipv6)
    {
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

    /// <summary>Offset of the TCP header (bytes).</summary>
    public int L4Offset { get; }

    /// <summary>Offset of the TCP payload: the length of the headers every segment repeats (bytes).</summary>
    public int PayloadStart { get; }

    /// <summary>TCP payload bytes of the super-frame.</summary>
    public int PayloadLength { get; }

    /// <summary>Payload bytes per segment (gso_size, the MSS).</summary>
    public int Mss { get; }

    /// <summary>True for TCP over IPv6, false for TCP over IPv4.</summary>
    public bool IsIpv6 { get; }

    /// <summary>Number of segments (at least 1).</summary>
    public int Count { get; }

    /// <summary>Bytes of the largest segment (the first): headers plus one MSS, or the whole frame if it is shorter.</summary>
    public int MaxSegmentLength => PayloadStart + Math.Min(Mss, PayloadLength);

    /// <summary>
    /// Reads the Ethernet (with up to two VLAN tags), IP and TCP headers of <paramref name="frame"/> and plans its
    /// segmentation by <paramref name="header"/>.gso_size.
    /// </summary>
    /// <returns>
    /// False when the frame cannot be segmented: not TCP over IPv4 without fragmentation or over IPv6 without extension
    /// headers as the GSO type says, headers cut short, a header length out of range, or gso_size 0.
    /// </returns>
    public static bool TryCreate(ReadOnlySpan<byte> frame, in VirtioNetHeader header, out TcpSegmentPlan plan)
    {
        plan = default;
        VirtioGsoType type = header.BaseGsoType;
        int mss = header.GsoSize;
        if ((type != VirtioGsoType.TcpV4 && type != VirtioGsoType.TcpV6) || mss == 0 || frame.Length < 14)
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
        bool ipv6 = type == VirtioGsoType.TcpV6;
        if (!ipv6)
        {
            if (etherType != PacketParser.EthTypeIpv4 || l3 + 20 > frame.Length || frame[l3] >> 4 != 4)
            {
                return false;
            }

            int ihl = (frame[l3] & 0x0F) * 4;
            bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 6)..]) & 0x3FFF) != 0;
            if (ihl < 20 || frame[l3 + 9] != ProtocolTcp || fragment)
            {
                return false;
            }

            l4 = l3 + ihl;
        }
        else
        {
            if (etherType != PacketParser.EthTypeIpv6 || l3 + 40 > frame.Length || frame[l3] >> 4 != 6 || frame[l3 + 6] != ProtocolTcp)
            {
                return false;
            }

            l4 = l3 + 40;
        }

        if (l4 + 20 > frame.Length)
        {
            return false;
        }

        int tcpHeader = (frame[l4 + 12] >> 4) * 4;
        int payloadStart = l4 + tcpHeader;
        if (tcpHeader < 20 || payloadStart > frame.Length)
        {
            return false;
        }

        plan = new TcpSegmentPlan(l3, l4, payloadStart, frame.Length - payloadStart, mss, ipv6);
        return true;
    }

    /// <summary>
    /// Writes segment <paramref name="index"/> of <paramref name="frame"/> (the frame this plan was made from) into
    /// <paramref name="destination"/>: the headers with the IP total length (IPv4, with identification + index and a new
    /// header checksum) or payload length (IPv6), the sequence number advanced by index × MSS, FIN and PSH only on the
    /// last segment and CWR only on the first, and a complete TCP checksum (RFC 793 pseudo-header).
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
        int tcpLength = length - l4;
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
        ulong sum = IsIpv6
            ? InternetChecksum.Add(destination.Slice(l3 + 8, 32))
            : InternetChecksum.Add(destination.Slice(l3 + 12, 8));
        sum = InternetChecksum.AddWord(ProtocolTcp, sum);
        sum = InternetChecksum.AddWord((ushort)tcpLength, sum);
        sum = InternetChecksum.Add(destination[l4..length], sum);
        InternetChecksum.Write(destination[(l4 + 16)..], sum);
        return length;
    }
}
