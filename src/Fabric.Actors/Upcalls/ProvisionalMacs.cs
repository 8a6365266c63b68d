namespace Fabric.Actors.Upcalls;

/// <summary>
/// The source addresses one poll thread has just sent to be learned, which the bridge actor (the MAC table's one writer)
/// may not have published yet: (table epoch, VLAN, MAC) → OpenFlow port, each for at most <see cref="LifetimeMs"/>. A
/// reply that arrives before the bridge has learned its destination is forwarded by them instead of being flooded (OVS
/// learns the source before it executes the packet, ovs-facts §2.2). Owned by one poll thread: only it reads and writes it.
/// </summary>
internal sealed class ProvisionalMacs
{
    /// <summary>
    /// How long an entry is believed (ms): far longer than a learn takes to be published on an idle slow path, short enough
    /// that an entry the bridge has since flushed or refused misleads for a moment only (the packet then floods).
    /// </summary>
    public const long LifetimeMs = 100;

    /// <summary>
    /// Most entries held: past it an <see cref="Add"/> forgets the oldest even before it expires (a burst of more new
    /// sources within <see cref="LifetimeMs"/> than this; a reply to a forgotten one is flooded until the bridge
    /// publishes it).
    /// </summary>
    public const int Capacity = 8192;

    private static int s_prepared;

    private readonly Dictionary<(long Epoch, int Vlan, ulong Mac), Entry> _entries = new();

    // Every Add in order (entries are added at non-decreasing times on one poll thread), so expiry pops from the front:
    // O(1) per Add however many sources a burst brings. A key added again has a later item; an item whose entry has
    // a different time is stale and removes nothing.
    private readonly Queue<((long Epoch, int Vlan, ulong Mac) Key, long AtMs)> _order = new();

    /// <summary>Entries held now (across every bridge this poll thread serves; expired ones until the next <see cref="Add"/> or lookup).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Remembers that <paramref name="mac"/> in <paramref name="vlan"/> was sent to be learned on <paramref name="ofPort"/>
    /// in the table of <paramref name="epoch"/> at <paramref name="nowMs"/>, and first forgets the entries expired by
    /// then (and the oldest beyond <see cref="Capacity"/>). O(1) amortised, no scan.
    /// </summary>
    public void Add(long epoch, int vlan, ulong mac, int ofPort, long nowMs)
    {
        while (_order.TryPeek(out var oldest) && (nowMs - oldest.AtMs > LifetimeMs || _order.Count >= Capacity))
        {
            _order.Dequeue();
            if (_entries.TryGetValue(oldest.Key, out var e) && e.AtMs == oldest.AtMs)
            {
                _entries.Remove(oldest.Key);
            }
        }

        _entries[(epoch, vlan, mac)] = new Entry(ofPort, nowMs);
        _order.Enqueue(((epoch, vlan, mac), nowMs));
    }

    /// <summary>
    /// Runs every path of this class once, on a throwaway instance, the first time it is called in the process: the
    /// generic collections keyed by this class's tuples are instantiations that ReadyToRun cannot precompile, so without
    /// this the JIT compiles them on a poll thread at the first expiry, in the middle of a new flow's first packet
    /// (measured: 1.2–2.4 ms of that packet's latency, the JIT on the poll thread, on the first miss after a
    /// <c>fdb/flush</c>). Called where a bridge creates its poll-thread translation.
    /// </summary>
    public static void Prepare()
    {
        if (Interlocked.Exchange(ref s_prepared, 1) != 0)
        {
            return;
        }

        var warm = new ProvisionalMacs();
        warm.Add(epoch: 0, vlan: 0, mac: 1, ofPort: 1, nowMs: 0);
        _ = warm.Lookup(0, 0, 1, nowMs: 0);
        warm.Add(0, 0, 2, 1, nowMs: (2 * LifetimeMs) + 1);            // expires the first: Dequeue, Remove
        _ = warm.Lookup(0, 0, 2, nowMs: (4 * LifetimeMs) + 2);         // expired on lookup: Remove
        _ = warm.Lookup(0, 0, 3, nowMs: (4 * LifetimeMs) + 2);         // unknown
    }

    /// <summary>The port <paramref name="mac"/> was sent to be learned on less than <see cref="LifetimeMs"/> before <paramref name="nowMs"/>, or null (an older entry is forgotten).</summary>
    public int? Lookup(long epoch, int vlan, ulong mac, long nowMs)
    {
        if (!_entries.TryGetValue((epoch, vlan, mac), out var e))
        {
            return null;
        }

        if (nowMs - e.AtMs > LifetimeMs)
        {
            _entries.Remove((epoch, vlan, mac));
            return null;
        }

        return e.OfPort;
    }

    private readonly record struct Entry(int OfPort, long AtMs);
}
