using FsCheck;
using FsCheck.Fluent;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Tests.Ports;

namespace Fabric.Datapath.Tests.Offloads;

public sealed class InternetChecksumTests
{
    [Fact]
    public void Rfc1071_example_sums_to_ddf2()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0x220d, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Odd_length_pads_the_last_byte_as_a_high_byte()
    {
        byte[] data = [0x12, 0x34, 0x56];
        Assert.Equal(Frames.InternetChecksum(data), InternetChecksum.Compute(data));
    }

    [Fact]
    public void Matches_a_plain_word_by_word_sum_for_any_bytes_and_any_even_split()
    {
        Prop.ForAll(
                ArbMap.Default.ArbFor<byte[]>(),
                ArbMap.Default.ArbFor<int>(),
                (bytes, cut) =>
                {
                    bytes ??= [];
                    int split = bytes.Length == 0 ? 0 : (Math.Abs(cut % (bytes.Length + 1)) & ~1);
                    ulong sum = InternetChecksum.Add(bytes.AsSpan(split), InternetChecksum.Add(bytes.AsSpan(0, split)));
                    ushort ours = (ushort)~InternetChecksum.Fold(sum);
                    ushort wire = BitConverter.IsLittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ours) : ours;
                    return wire == Frames.InternetChecksum(bytes) && InternetChecksum.Compute(bytes) == Frames.InternetChecksum(bytes);
                })
            .QuickCheckThrowOnFailure();
    }
}
