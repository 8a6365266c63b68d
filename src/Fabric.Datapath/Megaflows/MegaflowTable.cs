using System.Runtime.CompilerServices;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// The megaflow classifier (OVS dpcls, ovs-facts §3.2): one hash table per distinct mask (tuple-space search),
/// searched in rank order; subtables are re-ranked by hits (<see cref="Rerank"/>, OVS every 1 s). Megaflows are
/// assumed not to overlap, so the first match wins and there are no priorities.
/// </summary>
/// <remarks>
/// Threading: one writer at a time (the datapath actor; writer methods serialise on an internal lock, never
/// taken by readers) and any number of lock-free readers (<see cref="Lookup(in FlowKey, MegaflowLookupContext, out int)"/>
/// from poll threads, each with its own <see cref="MegaflowLookupContext"/> where it counts its hits per subtable).
/// Readers see every change after it is published; a reader racing a removal may still return the removed
/// flow once (as with OVS's RCU), and can check <see cref="Megaflow.IsLive"/>.
/// </remarks>
public sealed class MegaflowTable
{
    private readonly object _writeLock = new();
    private readonly Dictionary<FlowMask, MegaflowSubtable> _byMask = new();
    private readonly Dictionary<int, HashSet<Megaflow>> _bySlice = new();
    private readonly TimeProvider _timeProvider;
    private readonly List<WeakReference<MegaflowLookupContext>> _contexts = new();
    private readonly Stack<int> _freeIndices = new();
    private readonly Dictionary<(ulong, ulong, ulong), int> _stageIds = new();
    private readonly MegaflowLookupContext _sharedContext;
    private int _nextIndex;
    private MegaflowSubtable[] _subtables = [];
    private int _count;
    private int _flowLimit;
    private long _nextId;
    private long _generation;

    /// <summary>Creates an empty table that holds at most <paramref name="flowLimit"/> flows (OVS flow-limit, default 200,000).</summary>
    /// <param name="flowLimit">Maximum number of megaflows, at least 1.</param>
    /// <param name="timeProvider">Clock for <see cref="Megaflow.CreatedMs"/>; the system clock when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="flowLimit"/> is below 1.</exception>
    public MegaflowTable(int flowLimit = 200_000, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(flowLimit, 1);
        _flowLimit = flowLimit;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _sharedContext = CreateLookupContext();
    }

    /// <summary>Poll threads that hit this table's flows: each flow gets one statistics slot per thread (<see cref="Megaflow"/>). 1..64, default 1.</summary>
    internal int PollThreads { get; init; } = 1;

    /// <summary>Number of installed megaflows.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Maximum number of megaflows; <see cref="Install"/> refuses new flows beyond it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int FlowLimit
    {
        get => Volatile.Read(ref _flowLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _flowLimit, value);
        }
    }

    /// <summary>Number of distinct masks (subtables).</summary>
    public int MaskCount => Volatile.Read(ref _subtables).Length;

    /// <summary>Bumps on every change of the flows (install, modify, remove, clear; not re-ranking), for observers of the table.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Finds the megaflow matching <paramref name="key"/> (an unmasked packet key), or null. Lock-free, no allocation.
    /// Hits are counted in a context the table shares with every caller of this overload: for one thread (tests,
    /// tools); a poll thread uses <see cref="Lookup(in FlowKey, MegaflowLookupContext, out int)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Megaflow? Lookup(in FlowKey key) => Lookup(key, _sharedContext, out _);

    /// <summary>
    /// As <see cref="Lookup(in FlowKey)"/>, and reports how many subtables were probed (OVS "masks hit/pkt").
    /// Hits are counted in the shared context (one thread at a time).
    /// </summary>
    public Megaflow? Lookup(in FlowKey key, out int subtablesProbed) => Lookup(key, _sharedContext, out subtablesProbed);

    /// <summary>
    /// Finds the megaflow matching <paramref name="key"/> (an unmasked packet key), or null, and reports how many
    /// subtables were probed (OVS "masks hit/pkt"); the hit is counted in <paramref name="context"/>, which only
    /// the calling thread writes. Lock-free, no allocation.
    /// </summary>
    /// <param name="key">The packet's key.</param>
    /// <param name="context">The caller's own context, from <see cref="CreateLookupContext"/> of this table.</param>
    /// <param name="subtablesProbed">Subtables searched, the matching one included.</param>
    public Megaflow? Lookup(in FlowKey key, MegaflowLookupContext context, out int subtablesProbed)
    {
        MegaflowSubtable[] subtables = Volatile.Read(ref _subtables);

        // The first stage's hash state, computed once per group of subtables with the same metadata and L2 mask words.
        StageStates states = default;
        uint have = 0;
        for (int i = 0; i < subtables.Length; i++)
        {
            MegaflowSubtable sub = subtables[i];
            int id = sub.StageId;
            uint stage;
            if ((uint)id < StageStates.Length)
            {
                if ((have & (1u << id)) == 0)
                {
                    states[id] = sub.StageState(key);
                    have |= 1u << id;
                }

                stage = states[id];
            }
            else
            {
                stage = sub.StageState(key);
            }

            Megaflow? f = sub.Lookup(key, stage);
            if (f is not null)
            {
                context.CountHit(sub.Index);
                subtablesProbed = i + 1;
                return f;
            }
        }

        subtablesProbed = subtables.Length;
        return null;
    }

    /// <summary>
    /// A new lookup context for one reader thread (a poll thread creates one at start). The table keeps a weak
    /// reference to it, to sum its hits when re-ranking.
    /// </summary>
    public MegaflowLookupContext CreateLookupContext()
    {
        lock (_writeLock)
        {
            var context = new MegaflowLookupContext(_nextIndex);
            _contexts.Add(new WeakReference<MegaflowLookupContext>(context));
            return context;
        }
    }

    /// <summary>
    /// Installs a megaflow: masks <paramref name="key"/> with <paramref name="mask"/>; if a flow with the same
    /// masked key and mask exists, replaces its actions (and owner, when given) and returns it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table already holds <see cref="FlowLimit"/> flows.</exception>
    public Megaflow Install(in FlowKey key, in FlowMask mask, DatapathActions actions, object? owner = null) =>
        TryInstall(key, mask, actions, owner, out Megaflow? flow, out _)
            ? flow!
            : throw new InvalidOperationException($"megaflow table is full: {Count} flows, flow limit {FlowLimit} (ovs-facts §3.3)");

    /// <summary>
    /// Installs a megaflow, or replaces the actions (and owner, when given) of the flow with the same masked key and
    /// mask, in one lookup: <paramref name="replaced"/> is the previous actions of an existing flow, or null when the
    /// flow is new. Returns false, installing nothing, when the flow is new and the table already holds
    /// <see cref="FlowLimit"/> flows (OVS: the packet is still handled, no flow is installed).
    /// </summary>
    public bool TryInstall(in FlowKey key, in FlowMask mask, DatapathActions actions, object? owner, out Megaflow? flow, out DatapathActions? replaced)
    {
        ArgumentNullException.ThrowIfNull(actions);
        FlowKey masked = key.Masked(mask);
        lock (_writeLock)
        {
            if (_byMask.TryGetValue(mask, out MegaflowSubtable? sub) && sub.Find(masked) is { } existing)
            {
                replaced = existing.Actions;
                if (!ReferenceEquals(replaced, actions) && !replaced.Equals(actions))
                {
                    existing.Actions = actions;
                    Interlocked.Increment(ref _generation);
                }

                if (owner is not null)
                {
                    existing.Owner = owner;
                }

                flow = existing;
                return true;
            }

            replaced = null;
            if (_count >= FlowLimit)
            {
                flow = null;
                return false;
            }

            flow = AddLocked(masked, mask, actions, owner, sub);
            return true;
        }
    }

    /// <summary>
    /// The installed flow whose masked key and mask are exactly <paramref name="maskedKey"/> and
    /// <paramref name="mask"/>, or null (replaying journal events that name a flow by its match).
    /// </summary>
    public Megaflow? Find(in FlowKey maskedKey, in FlowMask mask)
    {
        lock (_writeLock)
        {
            return _byMask.TryGetValue(mask, out MegaflowSubtable? sub) ? sub.Find(maskedKey.Masked(mask)) : null;
        }
    }

    /// <summary>Replaces the actions of an installed flow in place (revalidation found different actions, ovs-facts §3.3).</summary>
    /// <exception cref="ArgumentException">The flow is not installed in this table.</exception>
    public void ModifyActions(Megaflow flow, DatapathActions actions)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(actions);
        lock (_writeLock)
        {
            if (!flow.IsLive || !_byMask.TryGetValue(flow.Mask, out MegaflowSubtable? sub) ||
                !ReferenceEquals(sub.Find(flow.Key), flow))
            {
                throw new ArgumentException($"megaflow {flow.Id} is not installed in this table", nameof(flow));
            }

            flow.Actions = actions;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>Removes <paramref name="flow"/>; returns false when it was not installed here.</summary>
    public bool Remove(Megaflow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        lock (_writeLock)
        {
            return RemoveLocked(flow);
        }
    }

    /// <summary>Removes every flow for which <paramref name="predicate"/> is true; returns how many were removed.</summary>
    public int RemoveWhere(Func<Megaflow, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        lock (_writeLock)
        {
            int removed = 0;
            foreach (Megaflow f in SnapshotLocked())
            {
                if (predicate(f) && RemoveLocked(f))
                {
                    removed++;
                }
            }

            return removed;
        }
    }

    /// <summary>Removes every flow (OVS dpctl/del-flows).</summary>
    public void Clear()
    {
        lock (_writeLock)
        {
            foreach (Megaflow f in SnapshotLocked())
            {
                f.MarkRemoved();
            }

            foreach (MegaflowSubtable s in _subtables)
            {
                _freeIndices.Push(s.Index);
            }

            _byMask.Clear();
            _bySlice.Clear();
            Volatile.Write(ref _subtables, []);
            Volatile.Write(ref _count, 0);
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>A point-in-time copy of every installed flow, subtable by subtable (allocates; for dumps and revalidation).</summary>
    public IReadOnlyList<Megaflow> Snapshot()
    {
        lock (_writeLock)
        {
            return SnapshotLocked();
        }
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the installed flows that match in_port <paramref name="inPort"/> and fall
    /// into <see cref="FlowSlice"/> <paramref name="slice"/>: what one revalidator visits, without copying the table.
    /// </summary>
    public void CollectSlice(ushort inPort, int slice, List<Megaflow> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_writeLock)
        {
            if (_bySlice.TryGetValue((inPort * FlowSlice.Count) + slice, out HashSet<Megaflow>? members))
            {
                into.AddRange(members);
            }
        }
    }

    /// <summary>Appends to <paramref name="into"/> every installed flow that matches in_port <paramref name="inPort"/>.</summary>
    public void CollectInPort(ushort inPort, List<Megaflow> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_writeLock)
        {
            for (int slice = 0; slice < FlowSlice.Count; slice++)
            {
                if (_bySlice.TryGetValue((inPort * FlowSlice.Count) + slice, out HashSet<Megaflow>? members))
                {
                    into.AddRange(members);
                }
            }
        }
    }

    /// <summary>The distinct in_port values of the installed flows, ascending.</summary>
    public IReadOnlyList<ushort> InPorts()
    {
        lock (_writeLock)
        {
            var ports = new SortedSet<ushort>();
            foreach (int k in _bySlice.Keys)
            {
                ports.Add((ushort)(k / FlowSlice.Count));
            }

            return [.. ports];
        }
    }

    /// <summary>The masks in current search order, with the hits each subtable had since the last re-rank.</summary>
    public IReadOnlyList<(FlowMask Mask, long Hits, int Flows)> Subtables()
    {
        lock (_writeLock)
        {
            MegaflowSubtable[] subs = _subtables;
            var result = new List<(FlowMask, long, int)>(subs.Length);
            foreach (MegaflowSubtable s in subs)
            {
                result.Add((s.Mask, Math.Max(0, HitsOf(s.Index) - s.HitsAtRerank), s.Count));
            }

            return result;
        }
    }

    /// <summary>
    /// Re-orders the subtables by hits since the last call, summed over every lookup context, most hit first, and
    /// starts a new interval (OVS dpcls_sort_subtable_vector, every DPCLS_OPTIMIZATION_INTERVAL = 1 s). Returns false
    /// without waiting when a writer holds the table. Writes no reader's counter: each subtable remembers the sum it
    /// saw.
    /// </summary>
    public bool Rerank()
    {
        if (!Monitor.TryEnter(_writeLock))
        {
            return false;
        }

        try
        {
            _contexts.RemoveAll(w => !w.TryGetTarget(out _));
            MegaflowSubtable[] current = _subtables;
            var hits = new long[current.Length];
            for (int i = 0; i < current.Length; i++)
            {
                long total = HitsOf(current[i].Index);
                hits[i] = -Math.Max(0, total - current[i].HitsAtRerank);
                current[i].HitsAtRerank = total;
            }

            if (current.Length > 1)
            {
                MegaflowSubtable[] next = current;

                // Stable order for ties keeps re-ranking deterministic.
                var order = new int[next.Length];
                for (int i = 0; i < order.Length; i++)
                {
                    order[i] = i;
                }

                Array.Sort(order, (a, b) => hits[a] != hits[b] ? hits[a].CompareTo(hits[b]) : a.CompareTo(b));
                var sorted = new MegaflowSubtable[next.Length];
                for (int i = 0; i < order.Length; i++)
                {
                    sorted[i] = next[order[i]];
                }

                Volatile.Write(ref _subtables, sorted);
            }

            return true;
        }
        finally
        {
            Monitor.Exit(_writeLock);
        }
    }

    private bool RemoveLocked(Megaflow flow)
    {
        if (!_byMask.TryGetValue(flow.Mask, out MegaflowSubtable? sub) || !sub.Remove(flow))
        {
            return false;
        }

        flow.MarkRemoved();
        int sliceKey = SliceKey(flow.Key);
        if (_bySlice.TryGetValue(sliceKey, out HashSet<Megaflow>? members) && members.Remove(flow) && members.Count == 0)
        {
            _bySlice.Remove(sliceKey);
        }

        if (sub.Count == 0)
        {
            _byMask.Remove(flow.Mask);
            _freeIndices.Push(sub.Index);
            MegaflowSubtable[] old = _subtables;
            var next = new MegaflowSubtable[old.Length - 1];
            int j = 0;
            foreach (MegaflowSubtable s in old)
            {
                if (!ReferenceEquals(s, sub))
                {
                    next[j++] = s;
                }
            }

            Volatile.Write(ref _subtables, next);
        }

        Volatile.Write(ref _count, _count - 1);
        Interlocked.Increment(ref _generation);
        return true;
    }

    // Writer: the stage id of a mask's metadata and L2 words; ids are never reused (a table sees few distinct L2 masks), and
    // past the lookup's cache of stage states a subtable computes its own.
    private int StageIdOf(in FlowMask mask)
    {
        var words = (mask.Word(0), mask.Word(1), mask.Word(2));
        if (!_stageIds.TryGetValue(words, out int id))
        {
            id = _stageIds.Count;
            _stageIds.Add(words, id);
        }

        return id;
    }

    private Megaflow AddLocked(in FlowKey masked, in FlowMask mask, DatapathActions actions, object? owner, MegaflowSubtable? sub)
    {
        var flow = new Megaflow(++_nextId, masked, mask, actions, owner, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), PollThreads);
        if (sub is null)
        {
            int index = _freeIndices.Count > 0 ? _freeIndices.Pop() : _nextIndex++;
            sub = new MegaflowSubtable(mask, index, StageIdOf(mask)) { HitsAtRerank = HitsOf(index) };
            sub.Add(flow);
            _byMask.Add(mask, sub);

            // New subtables go last (rank 0), as in OVS dpcls.
            MegaflowSubtable[] old = _subtables;
            var next = new MegaflowSubtable[old.Length + 1];
            old.CopyTo(next, 0);
            next[^1] = sub;
            Volatile.Write(ref _subtables, next);
        }
        else
        {
            sub.Add(flow);
        }

        AddToSlice(flow);
        Volatile.Write(ref _count, _count + 1);
        Interlocked.Increment(ref _generation);
        return flow;
    }

    // Writer or reranker (under the lock): the hits every live context counted in subtable index.
    private long HitsOf(int index)
    {
        long sum = 0;
        foreach (WeakReference<MegaflowLookupContext> w in _contexts)
        {
            if (w.TryGetTarget(out MegaflowLookupContext? c))
            {
                sum += c.HitsOf(index);
            }
        }

        return sum;
    }

    private static int SliceKey(in FlowKey maskedKey) => (maskedKey.InPort * FlowSlice.Count) + FlowSlice.Of(maskedKey);

    private void AddToSlice(Megaflow flow)
    {
        int key = SliceKey(flow.Key);
        if (!_bySlice.TryGetValue(key, out HashSet<Megaflow>? members))
        {
            members = new HashSet<Megaflow>(ReferenceEqualityComparer.Instance);
            _bySlice.Add(key, members);
        }

        members.Add(flow);
    }

    private List<Megaflow> SnapshotLocked()
    {
        var list = new List<Megaflow>(_count);
        foreach (MegaflowSubtable s in _subtables)
        {
            s.CollectInto(list);
        }

        return list;
    }
}
