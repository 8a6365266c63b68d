namespace Fabric.Datapath.Offloads;

/// <summary>
/// Completes a partial checksum (CHECKSUM_PARTIAL, virtio spec 1.1 §5.1.6.2.1): the sender stored only the pseudo-header
/// sum in the checksum field and asked for the one's-complement sum from <see cref="VirtioNetHeader.CsumStart"/> to the
/// end of the frame to be put at <see cref="VirtioNetHeader.CsumStart"/> + <see cref="VirtioNetHeader.CsumOffset"/>.
/// </summary>
public static class PartialChecksum
{
    /// <summary>
    /// Completes the checksum of <paramref name="frame"/> in place as <paramref name="header"/> describes (RFC 1071); a
    /// frame without <see cref="VirtioNetFlags.NeedsCsum"/> is left as it is.
    /// </summary>
    /// <returns>False, changing nothing, when the offsets do not fit inside the frame (a malformed header).</returns>
    public static bool Complete(Span<byte> frame, in VirtioNetHeader header)
    {
        if ((header.Flags & VirtioNetFlags.NeedsCsum) == 0)
        {
            return true;
        }

        int start = header.CsumStart;
        int field = start + header.CsumOffset;
        if (start >= frame.Length || field + 2 > frame.Length)
        {
            return false;
        }

        InternetChecksum.Write(frame[field..], InternetChecksum.Add(frame[start..]));
        return true;
    }
}
