using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Ports.Vxlan;

/// <summary>
/// The 8-byte VXLAN header (RFC 7348 §5) that follows the outer UDP header: flags (8 bits, of which only the I flag
/// 0x08 is defined: "the VNI is valid"), 24 reserved bits, the 24-bit VXLAN Network Identifier (VNI) and 8 reserved
/// bits. Encoding writes the I flag and zeros in every reserved field; parsing requires the I flag and ignores the
/// reserved bits, as §5 asks of a receiver. Span-based: no allocation, no exception on bad input.
/// </summary>
public static class VxlanHeader
{
    /// <summary>Length of the header (bytes).</summary>
    public const int Size = 8;

    /// <summary>The I flag (RFC 7348 §5): set when the VNI is valid; every other flag bit is reserved.</summary>
    public const byte FlagI = 0x08;

    /// <summary>The largest VNI (24 bits).</summary>
    public const uint MaxVni = 0xFF_FFFF;

    /// <summary>The IANA-assigned VXLAN UDP port (RFC 7348 §5).</summary>
    public const int DefaultUdpPort = 4789;

    /// <summary>Length of an Ethernet header (bytes): the least an inner frame must have.</summary>
    public const int MinInnerFrame = 14;

    /// <summary>
    /// Writes the header for <paramref name="vni"/> into the first 8 bytes of <paramref name="destination"/>: flags 0x08,
    /// the VNI in bytes 4..6 (network order), zeros elsewhere.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vni"/> is above <see cref="MaxVni"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 8 bytes.</exception>
    public static void Write(Span<byte> destination, uint vni)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vni, MaxVni);
        if (destination.Length < Size)
        {
            throw new ArgumentException("a VXLAN header needs 8 bytes", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)FlagI << 24);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], vni << 8);
    }

    /// <summary>
    /// Parses the header at the start of <paramref name="datagram"/>, a whole UDP payload (VXLAN header and inner
    /// frame). Returns <see cref="DropReason.None"/> and the VNI, or why the datagram must be dropped.
    /// </summary>
    public static DropReason Parse(ReadOnlySpan<byte> datagram, out uint vni) => Parse(datagram, datagram.Length, out vni);

    /// <summary>
    /// Parses a header received apart from its inner frame (scatter I/O): <paramref name="header"/> holds the first
    /// bytes of a UDP payload of <paramref name="datagramBytes"/> bytes. Returns <see cref="DropReason.None"/> and the
    /// VNI, or <see cref="DropReason.VxlanTruncated"/> (fewer than 8 bytes), <see cref="DropReason.VxlanNoVniFlag"/>
    /// (I flag clear) or <see cref="DropReason.VxlanInnerTooShort"/> (inner frame under 14 bytes); vni is 0 then.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DropReason Parse(ReadOnlySpan<byte> header, int datagramBytes, out uint vni)
    {
        vni = 0;
        if (datagramBytes < Size || header.Length < Size)
        {
            return DropReason.VxlanTruncated;
        }

        if ((header[0] & FlagI) == 0)
        {
            return DropReason.VxlanNoVniFlag;
        }

        if (datagramBytes - Size < MinInnerFrame)
        {
            return DropReason.VxlanInnerTooShort;
        }

        vni = BinaryPrimitives.ReadUInt32BigEndian(header[4..]) >> 8;
        return DropReason.None;
    }
}
