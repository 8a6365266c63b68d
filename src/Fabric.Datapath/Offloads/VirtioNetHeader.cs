using System.Runtime.InteropServices;

namespace Fabric.Datapath.Offloads;

/// <summary>
/// The 10-byte <c>struct virtio_net_hdr</c> (virtio spec 1.1 §5.1.6, linux/virtio_net.h) that AF_PACKET sockets with
/// PACKET_VNET_HDR (packet(7)) and TAP devices with IFF_VNET_HDR put before every frame: whether the frame's L4 checksum
/// still has to be completed (<see cref="VirtioNetFlags.NeedsCsum"/>, with <see cref="CsumStart"/> and
/// <see cref="CsumOffset"/>) and whether it is a GSO super-frame to be cut into <see cref="GsoSize"/>-byte segments
/// (<see cref="GsoType"/>). Fields are in host byte order (the legacy little-endian layout on the hosts Fabric runs on).
/// The default value (all zero) describes a complete frame with nothing left to do.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct VirtioNetHeader : IEquatable<VirtioNetHeader>
{
    /// <summary>Size of the header on the wire of the socket or device (bytes).</summary>
    public const int Size = 10;

    /// <summary><c>flags</c>: <see cref="VirtioNetFlags"/>.</summary>
    public VirtioNetFlags Flags;

    /// <summary><c>gso_type</c>: <see cref="VirtioGsoType"/>, possibly with <see cref="VirtioGsoType.Ecn"/>.</summary>
    public VirtioGsoType GsoType;

    /// <summary><c>hdr_len</c>: bytes of headers (Ethernet to the end of L4) before the payload; a hint only.</summary>
    public ushort HdrLen;

    /// <summary><c>gso_size</c>: payload bytes per segment (the TCP MSS) of a GSO frame.</summary>
    public ushort GsoSize;

    /// <summary><c>csum_start</c>: offset (bytes from the frame start) where checksumming starts (the L4 header).</summary>
    public ushort CsumStart;

    /// <summary><c>csum_offset</c>: where, counted from <see cref="CsumStart"/>, the 16-bit checksum is stored (bytes).</summary>
    public ushort CsumOffset;

    /// <summary>True when the frame is a GSO super-frame or carries a partial checksum: a port without vnet headers needs software work.</summary>
    public readonly bool NeedsOffload => GsoType != VirtioGsoType.None || (Flags & VirtioNetFlags.NeedsCsum) != 0;

    /// <summary>The GSO type without the ECN bit.</summary>
    public readonly VirtioGsoType BaseGsoType => GsoType & ~VirtioGsoType.Ecn;

    /// <summary>
    /// Moves the header offsets by <paramref name="delta"/> bytes, after bytes were inserted (a pushed VLAN tag, +4) or
    /// removed (a popped tag, −4) before the L3 header.
    /// </summary>
    public void Shift(int delta)
    {
        if (delta == 0 || !NeedsOffload)
        {
            return;
        }

        CsumStart = (ushort)(CsumStart + delta);
        if (HdrLen != 0)
        {
            HdrLen = (ushort)(HdrLen + delta);
        }
    }

    /// <inheritdoc/>
    public readonly bool Equals(VirtioNetHeader other) =>
        Flags == other.Flags && GsoType == other.GsoType && HdrLen == other.HdrLen && GsoSize == other.GsoSize
        && CsumStart == other.CsumStart && CsumOffset == other.CsumOffset;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is VirtioNetHeader other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(Flags, GsoType, HdrLen, GsoSize, CsumStart, CsumOffset);

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"flags={Flags} gso={GsoType} hdr_len={HdrLen} gso_size={GsoSize} csum_start={CsumStart} csum_offset={CsumOffset}";

    /// <summary>Equality of every field.</summary>
    public static bool operator ==(VirtioNetHeader left, VirtioNetHeader right) => left.Equals(right);

    /// <summary>Inequality of some field.</summary>
    public static bool operator !=(VirtioNetHeader left, VirtioNetHeader right) => !left.Equals(right);
}
