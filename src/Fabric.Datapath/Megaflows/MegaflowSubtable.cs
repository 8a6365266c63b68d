using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// The flows of one mask (one tuple of OVS's tuple-space search, a dpcls subtable): an open-addressing hash
/// table keyed by the masked key. One writer (under the table's write lock), many lock-free readers: slots are
/// published with release writes; a resize builds a new slot array and publishes it whole.
/// </summary>
internal sealed class MegaflowSubtable
{
    private static readonly Megaflow Tombstone =
        new(-1, default, default, Actions.DatapathActions.Drop, null, 0);

    private Megaflow?[] _slots = new Megaflow?[16];
    private int _used;
    private long _hits;

    public MegaflowSubtable(in FlowMask mask) => Mask = mask;

    public FlowMask Mask { get; }

    /// <summary>Live flows in this subtable (writer's view).</summary>
    public int Count { get; private set; }

    /// <summary>Hits since the last re-rank (approximate: readers increment without atomics).</summary>
    public long Hits => Volatile.Read(ref _hits);

    public void ResetHits() => Volatile.Write(ref _hits, 0);

    /// <summary>Finds the flow whose masked key equals <paramref name="key"/> masked with <see cref="Mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Megaflow? Lookup(in FlowKey key)
    {
        FlowKey masked = key.Masked(Mask);
        Megaflow?[] slots = Volatile.Read(ref _slots);
        int m = slots.Length - 1;
        int i = masked.Hash & m;
        for (int n = 0; n <= m; n++)
        {
            Megaflow? f = Volatile.Read(ref slots[i]);
            if (f is null)
            {
                return null;
            }

            if (f.Key.Equals(masked) && !ReferenceEquals(f, Tombstone))
            {
                _hits++;
                return f;
            }

            i = (i + 1) & m;
        }

        return null;
    }

    /// <summary>Writer: the flow with exactly this masked key, or null.</summary>
    public Megaflow? Find(in FlowKey maskedKey)
    {
        Megaflow?[] slots = _slots;
        int m = slots.Length - 1;
        int i = maskedKey.Hash & m;
        for (int n = 0; n <= m; n++)
        {
            Megaflow? f = slots[i];
            if (f is null)
            {
                return null;
            }

            if (!ReferenceEquals(f, Tombstone) && f.Key.Equals(maskedKey))
            {
                return f;
            }

            i = (i + 1) & m;
        }

        return null;
    }

    /// <summary>Writer: adds a flow whose masked key is not present yet.</summary>
    public void Add(Megaflow flow)
    {
        if ((_used + 1) * 4 > _slots.Length * 3)
        {
            Rebuild(Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(Count + 1) * 2)));
        }

        Megaflow?[] slots = _slots;
        int m = slots.Length - 1;
        int i = flow.Key.Hash & m;
        while (true)
        {
            Megaflow? f = slots[i];
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

        Volatile.Write(ref slots[i], flow);
        Count++;
    }

    /// <summary>Writer: removes <paramref name="flow"/>; false when it is not here.</summary>
    public bool Remove(Megaflow flow)
    {
        Megaflow?[] slots = _slots;
        int m = slots.Length - 1;
        int i = flow.Key.Hash & m;
        for (int n = 0; n <= m; n++)
        {
            Megaflow? f = slots[i];
            if (f is null)
            {
                return false;
            }

            if (ReferenceEquals(f, flow))
            {
                Volatile.Write(ref slots[i], Tombstone);
                Count--;
                return true;
            }

            i = (i + 1) & m;
        }

        return false;
    }

    /// <summary>Writer: appends every live flow to <paramref name="into"/>.</summary>
    public void CollectInto(List<Megaflow> into)
    {
        foreach (Megaflow? f in _slots)
        {
            if (f is not null && !ReferenceEquals(f, Tombstone))
            {
                into.Add(f);
            }
        }
    }

    private void Rebuild(int size)
    {
        var slots = new Megaflow?[size];
        int m = size - 1;
        foreach (Megaflow? f in _slots)
        {
            if (f is null || ReferenceEquals(f, Tombstone))
            {
                continue;
            }

            int i = f.Key.Hash & m;
            while (slots[i] is not null)
            {
                i = (i + 1) & m;
            }

            slots[i] = f;
        }

        _used = Count;
        Volatile.Write(ref _slots, slots);
    }
}
