using System.Numerics;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// The exact-match cache in front of the megaflow table (OVS EMC, ovs-facts §3.2): per poll thread, 8192
/// entries by default, each an unmasked packet key and the megaflow it hit. The key hash gives two candidate
/// slots (low bits, next bits). A hit needs an equal hash, an equal key and a flow that is still live.
/// Entries are inserted with probability 1/<c>insertInvProb</c> (default 100 = 1 %; 1 = always; 0 disables
/// the cache, lookups included).
/// </summary>
/// <remarks>Owned by one poll thread: not thread-safe. Lookups and inserts allocate nothing.</remarks>
public sealed class ExactMatchCache
{
    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly int _shift;
    private readonly uint _threshold;
    private readonly int _insertInvProb;
    private uint _random;

    /// <summary>Creates a cache of <paramref name="entries"/> slots (a power of two ≥ 2).</summary>
    /// <param name="entries">Number of entries, a power of two (OVS: 8192).</param>
    /// <param name="insertInvProb">Insert one hit in this many (OVS emc-insert-inv-prob); 0 disables the cache.</param>
    /// <param name="seed">Seed of the insertion random generator (non-zero).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or probability is out of range.</exception>
    public ExactMatchCache(int entries = 8192, int insertInvProb = 100, uint seed = 0x2545F491)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 2);
        if (!BitOperations.IsPow2(entries))
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries, "EMC size must be a power of two");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(insertInvProb);
        _entries = new Entry[entries];
        _mask = entries - 1;
        _shift = BitOperations.Log2((uint)entries);
        _insertInvProb = insertInvProb;
        _threshold = insertInvProb == 0 ? 0 : uint.MaxValue / (uint)insertInvProb;
        _random = seed == 0 ? 1 : seed;
    }

    /// <summary>Number of slots.</summary>
    public int Capacity => _entries.Length;

    /// <summary>False when the insertion probability is 0: the cache is skipped entirely (OVS).</summary>
    public bool Enabled => _insertInvProb != 0;

    /// <summary>The live megaflow cached for exactly <paramref name="key"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Megaflow? Lookup(in FlowKey key)
    {
        uint h = (uint)key.Hash;
        ref Entry e = ref _entries[h & (uint)_mask];
        if (e.Flow is { } f && e.Key.Equals(key) && f.IsLive)
        {
            return f;
        }

        ref Entry e2 = ref _entries[(h >> _shift) & (uint)_mask];
        if (e2.Flow is { } f2 && e2.Key.Equals(key) && f2.IsLive)
        {
            return f2;
        }

        return null;
    }

    /// <summary>Inserts with the configured probability (draws a random number unless it is 1 or 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MaybeInsert(in FlowKey key, Megaflow flow)
    {
        if (_insertInvProb == 0)
        {
            return;
        }

        if (_insertInvProb != 1 && NextRandom() > _threshold)
        {
            return;
        }

        Insert(key, flow);
    }

    /// <summary>
    /// Inserts unconditionally: reuses the slot holding the same key; else a slot whose flow is empty or dead;
    /// else the candidate with the smaller stored hash (OVS emc_insert).
    /// </summary>
    public void Insert(in FlowKey key, Megaflow flow)
    {
        uint h = (uint)key.Hash;
        int i1 = (int)(h & (uint)_mask);
        int i2 = (int)((h >> _shift) & (uint)_mask);
        ref Entry e1 = ref _entries[i1];
        ref Entry e2 = ref _entries[i2];
        if (e1.Flow is not null && e1.Key.Equals(key))
        {
            e1.Flow = flow;
            return;
        }

        if (e2.Flow is not null && e2.Key.Equals(key))
        {
            e2.Flow = flow;
            return;
        }

        ref Entry target = ref e1;
        if (e1.Flow is null || !e1.Flow.IsLive)
        {
            target = ref e1;
        }
        else if (e2.Flow is null || !e2.Flow.IsLive)
        {
            target = ref e2;
        }
        else if ((uint)e2.Key.Hash < (uint)e1.Key.Hash)
        {
            target = ref e2;
        }

        target.Key = key;
        target.Flow = flow;
    }

    /// <summary>Empties every slot.</summary>
    public void Clear() => Array.Clear(_entries);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint NextRandom()
    {
        // xorshift32: cheap, good enough for a sampling decision.
        uint x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return x;
    }

    private struct Entry
    {
        public FlowKey Key;
        public Megaflow? Flow;
    }
}
