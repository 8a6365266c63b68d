using System.Numerics;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// The flows of one mask (one tuple of OVS's tuple-space search, a dpcls subtable): an open-addressing hash
/// table (linear probing, at most half full) keyed by the masked key. One writer (under the table's write lock),
/// many lock-free readers: slots are published with release writes; a resize builds a new slot array and
/// publishes it whole.
/// </summary>
/// <remarks>
/// <para>
/// As OVS's dpcls subtable keeps the miniflow of its mask, the subtable keeps the key words its mask touches
/// (a NORMAL L2 mask touches 4 of the 10) and hashes and compares only those: the hash is a CRC32C chain over the
/// masked words (<see cref="FlowHash.Add"/>), not the key's own hash. Each slot carries the hash
/// (<see cref="MegaflowSlot"/>), so a probe that lands on another flow costs no access to that flow.
/// </para>
/// <para>
/// Staged lookup (as OVS's userspace classifier stages metadata, L2, L3 and L4): the chain runs over the words in key
/// order, so its state after the metadata and L2 words (<see cref="StageWords"/>: in_port, dl_type, vlan_tci,
/// dl_src, dl_dst) is a stage of its own. Subtables whose masks agree on those words share a
/// <see cref="StageId"/> and the packet's stage state, which the table computes once for all of them; a second
/// filter, of stage hashes, rejects a subtable none of whose flows has the packet's L2 fields before any L3 or L4
/// word is hashed. With many ACL-shaped masks over one L2 match, that leaves most subtables one filter read each.
/// </para>
/// </remarks>
internal sealed class MegaflowSubtable
{
    private static readonly Megaflow Tombstone =
        new(-1, default, default, Actions.DatapathActions.Drop, null, 0);

    // The nonzero words of the mask, and which key word each one masks (4 bits each, first in the low bits).
    private readonly int _wordCount;
    private readonly ulong _wordIndexes;
    private MaskWords _maskWords;
    private MegaflowSlot[] _slots = new MegaflowSlot[16];

    // Early reject (a one-hash Bloom filter): bit (hash mod its size) is set for every flow added since the last
    // rebuild. 8 bits per slot, 1/16 of the slot array, so that the filters of 100,000 megaflows stay in L2 while the
    // slots do not; a subtable that lacks the packet's flow, as most do with many masks, is then rejected by one
    // L2 read in 16 to 32 (3 to 6 % false positives). Removed flows keep their bit until the next rebuild.
    private ulong[] _filter = new ulong[2];

    // The same early reject for the first stage, of two bits per flow in one word (StageBits), set for every flow added
    // since the last rebuild.
    private ulong[] _stageFilter = new ulong[2];

    // How many of the mask's nonzero words are stage words (they come first: words are kept in key order).
    private readonly int _stageWordCount;
    private int _used;

    /// <summary>Key words of the first lookup stage: W0 (in_port, dl_type, vlan_tci, vlan_tci2), W1 (dl_src), W2 (dl_dst).</summary>
    public const int StageWords = 3;

    /// <summary>Creates the subtable of <paramref name="mask"/>.</summary>
    /// <param name="mask">The mask of every flow here.</param>
    /// <param name="index">Where its hits are counted (<see cref="Index"/>).</param>
    /// <param name="stageId">Shared by the subtables whose masks have the same <see cref="StageWords"/> (<see cref="StageId"/>).</param>
    public MegaflowSubtable(in FlowMask mask, int index, int stageId = -1)
    {
        Mask = mask;
        Index = index;
        StageId = stageId;
        for (int i = 0; i < FlowKey.WordCount; i++)
        {
            if (mask.Word(i) != 0)
            {
                _maskWords[_wordCount] = mask.Word(i);
                _wordIndexes |= (ulong)i << (4 * _wordCount);
                _wordCount++;
                if (i < StageWords)
                {
                    _stageWordCount++;
                }
            }
        }
    }

    /// <summary>
    /// Equal for subtables whose masks have the same metadata and L2 words, so they share the packet's
    /// <see cref="StageState"/>; -1 when the table does not cache it.
    /// </summary>
    public int StageId { get; }

    /// <summary>The mask every flow here has (a field, so that passing it by <c>in</c> copies nothing).</summary>
    public readonly FlowMask Mask;

    /// <summary>
    /// A small number unique among the table's live subtables (reused after a subtable is removed): where this
    /// subtable's hits are counted in each <see cref="MegaflowLookupContext"/>.
    /// </summary>
    public int Index { get; }

    /// <summary>Hits counted by the lookup contexts when the table was last re-ranked (the reranker's view).</summary>
    public long HitsAtRerank { get; set; }

    /// <summary>Live flows in this subtable (writer's view).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The subtable hash of <paramref name="key"/> masked with <see cref="Mask"/> (masked or not: masking twice
    /// changes nothing). Only the words the mask touches are read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int HashOf(in FlowKey key) => HashFrom(key, StageState(key));

    /// <summary>
    /// The hash chain's state after the mask's <see cref="StageWords"/> of <paramref name="key"/>: the same for every
    /// subtable of this <see cref="StageId"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint StageState(in FlowKey key)
    {
        ref ulong words = ref FlowKey.FirstWord(key);
        ref ulong mask = ref Unsafe.As<MaskWords, ulong>(ref _maskWords);
        ulong index = _wordIndexes;
        uint h = FlowHash.Basis;
        for (int j = 0; j < _stageWordCount; j++, index >>= 4)
        {
            h = FlowHash.Add(h, Unsafe.Add(ref words, (int)(index & 15)) & Unsafe.Add(ref mask, j));
        }

        return h;
    }

    /// <summary>Finds the flow whose masked key equals <paramref name="key"/> masked with <see cref="Mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Megaflow? Lookup(in FlowKey key) => Lookup(key, StageState(key));

    /// <summary>
    /// As <see cref="Lookup(in FlowKey)"/>, given the key's <paramref name="stage"/> state (<see cref="StageState"/>, of
    /// this subtable or of another with the same <see cref="StageId"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Megaflow? Lookup(in FlowKey key, uint stage)
    {
        int stageHash = FlowHash.Finish(stage);
        ulong[] stageFilter = Volatile.Read(ref _stageFilter);
        ulong stageBits = StageBits(stageHash);
        if ((stageFilter[(stageHash >>> 6) & (stageFilter.Length - 1)] & stageBits) != stageBits)
        {
            return null;
        }

        int hash = HashFrom(key, stage);
        ulong[] filter = Volatile.Read(ref _filter);
        if ((filter[(hash >>> 6) & (filter.Length - 1)] & (1UL << hash)) == 0)
        {
            return null;
        }

        MegaflowSlot[] slots = Volatile.Read(ref _slots);
        int m = slots.Length - 1;
        int i = hash & m;

        // At most half the slots are used (tombstones included), so a probe always reaches a never-used slot.
        while (true)
        {
            ref MegaflowSlot slot = ref slots[i];
            Megaflow? f = Volatile.Read(ref slot.Flow);
            if (f is null)
            {
                return null;
            }

            if (slot.Hash == hash && !ReferenceEquals(f, Tombstone) && Matches(key, f))
            {
                return f;
            }

            i = (i + 1) & m;
        }
    }

    /// <summary>Writer: the flow with exactly this masked key, or null.</summary>
    public Megaflow? Find(in FlowKey maskedKey)
    {
        int i = FindSlot(maskedKey, null);
        return i < 0 ? null : _slots[i].Flow;
    }

    /// <summary>Writer: adds a flow whose masked key is not present yet.</summary>
    public void Add(Megaflow flow)
    {
        if ((_used + 1) * 2 > _slots.Length)
        {
            // Live flows fill a quarter to a half of the new array.
            Rebuild(Math.Max(16, (int)BitOperations.RoundUpToPowerOf2((uint)(Count + 1) * 2)));
        }

        int hash = HashOf(flow.Key);
        MegaflowSlot[] slots = _slots;
        int m = slots.Length - 1;
        int i = hash & m;
        while (true)
        {
            Megaflow? f = slots[i].Flow;
            if (f is null)
            {
                _used++;
                break;
            }

            if (ReferenceEquals(f, Tombstone))
            {
                break;
            }

            i = (i + 1) & m;
        }

        // The filter bits before the flow: a reader that can see the flow passes the filters.
        SetStageBits(_stageFilter, FlowHash.Finish(StageState(flow.Key)));
        SetFilterBit(_filter, hash);
        slots[i].Hash = hash;
        Volatile.Write(ref slots[i].Flow, flow);
        Count++;
    }

    /// <summary>Writer: removes <paramref name="flow"/>; false when it is not here.</summary>
    public bool Remove(Megaflow flow)
    {
        int i = FindSlot(flow.Key, flow);
        if (i < 0)
        {
            return false;
        }

        Volatile.Write(ref _slots[i].Flow, Tombstone);
        Count--;
        return true;
    }

    /// <summary>Writer: appends every live flow to <paramref name="into"/>.</summary>
    public void CollectInto(List<Megaflow> into)
    {
        foreach (MegaflowSlot s in _slots)
        {
            if (s.Flow is { } f && !ReferenceEquals(f, Tombstone))
            {
                into.Add(f);
            }
        }
    }

    // Writer: the slot of the live flow with this masked key (and, when given, that very flow), or -1.
    private int FindSlot(in FlowKey maskedKey, Megaflow? flow)
    {
        MegaflowSlot[] slots = _slots;
        int m = slots.Length - 1;
        int i = HashOf(maskedKey) & m;
        while (true)
        {
            Megaflow? f = slots[i].Flow;
            if (f is null)
            {
                return -1;
            }

            if (flow is null ? !ReferenceEquals(f, Tombstone) && f.Key.Equals(maskedKey) : ReferenceEquals(f, flow))
            {
                return i;
            }

            i = (i + 1) & m;
        }
    }

    // The flow's key is stored masked, so its words outside the mask are zero and only the mask's words need comparing.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(in FlowKey key, Megaflow flow)
    {
        FlowKey stored = flow.Key;
        ref ulong words = ref FlowKey.FirstWord(key);
        ref ulong storedWords = ref FlowKey.FirstWord(stored);
        ref ulong mask = ref Unsafe.As<MaskWords, ulong>(ref _maskWords);
        ulong index = _wordIndexes;
        for (int j = 0; j < _wordCount; j++, index >>= 4)
        {
            int w = (int)(index & 15);
            if ((Unsafe.Add(ref words, w) & Unsafe.Add(ref mask, j)) != Unsafe.Add(ref storedWords, w))
            {
                return false;
            }
        }

        return true;
    }

    // The chain from the stage state on, over the mask's words after the stage words.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int HashFrom(in FlowKey key, uint stage)
    {
        ref ulong words = ref FlowKey.FirstWord(key);
        ref ulong mask = ref Unsafe.As<MaskWords, ulong>(ref _maskWords);
        ulong index = _wordIndexes >> (4 * _stageWordCount);
        uint h = stage;
        for (int j = _stageWordCount; j < _wordCount; j++, index >>= 4)
        {
            h = FlowHash.Add(h, Unsafe.Add(ref words, (int)(index & 15)) & Unsafe.Add(ref mask, j));
        }

        return FlowHash.Finish(h);
    }

    // Two bits of one word per stage hash (a blocked Bloom filter, k = 2): one read as with one bit, and at the same size
    // a fraction of the false positives, which each cost the rest of the hash and the second filter.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong StageBits(int hash) => (1UL << hash) | (1UL << (hash >>> 26));

    private static void SetStageBits(ulong[] filter, int hash) =>
        filter[(hash >>> 6) & (filter.Length - 1)] |= StageBits(hash);

    private static void SetFilterBit(ulong[] filter, int hash) =>
        filter[(hash >>> 6) & (filter.Length - 1)] |= 1UL << hash;

    private void Rebuild(int size)
    {
        var slots = new MegaflowSlot[size];
        var filter = new ulong[size / 8];
        var stageFilter = new ulong[size / 8];
        int m = size - 1;
        foreach (MegaflowSlot s in _slots)
        {
            if (s.Flow is null || ReferenceEquals(s.Flow, Tombstone))
            {
                continue;
            }

            int i = s.Hash & m;
            while (slots[i].Flow is not null)
            {
                i = (i + 1) & m;
            }

            slots[i] = s;
            SetFilterBit(filter, s.Hash);
            SetStageBits(stageFilter, FlowHash.Finish(StageState(s.Flow.Key)));
        }

        // The new filters hold every live flow, and so do the old ones: a reader may pair any of them with either array.
        _used = Count;
        Volatile.Write(ref _stageFilter, stageFilter);
        Volatile.Write(ref _filter, filter);
        Volatile.Write(ref _slots, slots);
    }
}
