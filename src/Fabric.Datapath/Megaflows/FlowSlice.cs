using System.Numerics;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// The slice of the flow-hash space a flow belongs to: a hash of (in_port, dl_src, dl_dst) reduced to
/// <see cref="Count"/> slices. The function is fixed (no per-process seed), so every process, and a process
/// recovering another one's journal, agrees on it. The control plane splits the slices among its flow-table
/// shards (slice mod shard count), the way OVS splits datapath flows among revalidator threads by ufid hash.
/// </summary>
/// <remarks>
/// An upcall's unmasked key and the megaflow installed for it fall into the same slice whenever the megaflow's
/// mask keeps in_port, dl_src and dl_dst exactly, which NORMAL always does.
/// </remarks>
public static class FlowSlice
{
    /// <summary>Number of slices (a power of two; at least the largest shard count, 64).</summary>
    public const int Count = 64;

    /// <summary>The slice (0..<see cref="Count"/> - 1) of a flow with these fields.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(ushort inPort, ulong dlSrc, ulong dlDst)
    {
        // A fixed multiply-xorshift mix (splitmix64 finaliser) of the three fields.
        ulong h = (inPort * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft(dlSrc * 0xC2B2AE3D27D4EB4FUL, 29) ^ (dlDst * 0x165667B19E3779F9UL);
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (int)(h & (Count - 1));
    }

    /// <summary>The slice of <paramref name="key"/> (masked or not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(in FlowKey key) => Of(key.InPort, key.DlSrc, key.DlDst);

    /// <summary>The shard (0..<paramref name="shardCount"/> - 1) that owns <paramref name="slice"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardCount"/> is not in 1..<see cref="Count"/>.</exception>
    public static int ShardOf(int slice, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, Count);
        return slice % shardCount;
    }
}
