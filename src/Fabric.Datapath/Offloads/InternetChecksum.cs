using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fabric.Datapath.Offloads;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of 16-bit words. Sums are
/// kept in host byte order in a 64-bit accumulator (RFC 1071 §2(B): the sum is independent of byte order, so it is
/// taken over native 32-bit loads and swapped once at the end) and folded to 16 bits at the end.
/// </summary>
/// <remarks>Span-based; allocates nothing.</remarks>
public static class InternetChecksum
{
    /// <summary>
    /// Adds <paramref name="data"/> to <paramref name="sum"/> as a sequence of 16-bit words starting at an even offset of
    /// the checksummed range; an odd last byte counts as the high byte of a word padded with zero (RFC 1071 §4.1).
    /// </summary>
    /// <param name="data">The bytes, as on the wire.</param>
    /// <param name="sum">A running sum from a previous call, or 0.</param>
    /// <returns>The running sum (host order, unfolded).</returns>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        ulong a = sum, b = 0;
        for (; i + 16 <= length; i += 16)
        {
            a += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
            b += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4));
            a += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 8));
            b += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 12));
        }

        for (; i + 4 <= length; i += 4)
        {
            a += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
        }

        if (i + 2 <= length)
        {
            a += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref p, i));
            i += 2;
        }

        if (i < length)
        {
            // The odd byte is the first (most significant on the wire) byte of a zero-padded word.
            a += BitConverter.IsLittleEndian ? Unsafe.Add(ref p, i) : (uint)Unsafe.Add(ref p, i) << 8;
        }

        return a + b;
    }

    /// <summary>Adds a 16-bit value given in network meaning (e.g. a length or protocol number of a pseudo-header) to <paramref name="sum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AddWord(ushort networkValue, ulong sum) =>
        sum + (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(networkValue) : networkValue);

    /// <summary>Folds a running sum to 16 bits with end-around carry; the result is in host order of the wire bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        uint s = (uint)sum;
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        return (ushort)s;
    }

    /// <summary>
    /// Writes the checksum of <paramref name="sum"/> (its folded complement) into the two bytes at
    /// <paramref name="field"/>, as on the wire; a result of 0 is written as 0xFFFF (its one's-complement equal, which
    /// UDP requires, RFC 768, and TCP accepts).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> field, ulong sum)
    {
        ushort c = (ushort)~Fold(sum);
        MemoryMarshal.Write(field, c == 0 ? (ushort)0xFFFF : c);
    }

    /// <summary>
    /// The RFC 1071 checksum of <paramref name="data"/> as a number (what <see cref="BinaryPrimitives.ReadUInt16BigEndian"/>
    /// reads from the field once written). Over a range that includes a correct checksum field the result is 0: that is
    /// how a receiver verifies it (RFC 1071 §1).
    /// </summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort c = (ushort)~Fold(Add(data));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(c) : c;
    }
}
