using System.Collections.Immutable;

namespace Fabric.Actors.Bridge;

/// <summary>
/// A bridge's MAC learning table: (VLAN, MAC) → OpenFlow port, with LRU aging and OVS's fair
/// eviction (ovs-facts §2.1): when full, the port owning the most entries loses its least recently
/// used one. Defaults: 8192 entries, 300 s aging.
/// </summary>
/// <remarks>
/// Control-plane structure with a single writer, its bridge actor; never touched per packet. Readers
/// (the bridge's flow-table shards) use the immutable <see cref="View"/> the bridge publishes. Every change
/// that can make an installed megaflow wrong (new entry, move, expiry, flush) bumps <see cref="Version"/>,
/// which the revalidators compare against the version a megaflow was translated at.
/// </remarks>
public sealed class MacLearningTable
{
    private static long s_lastEpoch;
    private readonly Dictionary<(int Vlan, ulong Mac), LinkedListNode<Entry>> _entries = new();
    private readonly LinkedList<Entry> _lru = new();
    private readonly Dictionary<int, int> _perPort = new();
    private ImmutableDictionary<(int Vlan, ulong Mac), int> _ports = ImmutableDictionary<(int Vlan, ulong Mac), int>.Empty;
    private readonly Dictionary<(int Vlan, ulong Mac), long> _lockedUntil = new();
    private ImmutableHashSet<(int Vlan, ulong Mac)> _locked = ImmutableHashSet<(int Vlan, ulong Mac)>.Empty;
    private MacTableView? _view;
    private long _version;
    private long _learned;
    private long _moved;
    private long _expired;
    private long _evicted;

    /// <summary>Creates a table.</summary>
    /// <param name="maxEntries">Capacity (entries); clamped to 10..1,000,000 like OVS's mac-table-size.</param>
    /// <param name="agingTime">Idle time before an entry expires; clamped to 15..3600 s like OVS's mac-aging-time.</param>
    public MacLearningTable(int maxEntries = 8192, TimeSpan? agingTime = null)
    {
        MaxEntries = Math.Clamp(maxEntries, 10, 1_000_000);
        var seconds = Math.Clamp((agingTime ?? TimeSpan.FromSeconds(300)).TotalSeconds, 15, 3600);
        AgingTime = TimeSpan.FromSeconds(seconds);
        Epoch = Interlocked.Increment(ref s_lastEpoch);
    }

    /// <summary>Capacity in entries.</summary>
    public int MaxEntries { get; }

    /// <summary>Idle time after which an entry expires.</summary>
    public TimeSpan AgingTime { get; }

    /// <summary>Identity of this table instance within the process (never 0, which marks flows restored from a journal).</summary>
    public long Epoch { get; }

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Incremented on every change that can invalidate a megaflow (learn, move, expiry, flush).</summary>
    public long Version => _version;

    /// <summary>The current contents as an immutable version (the same object until the next change).</summary>
    public MacTableView View => _view ??= new MacTableView(_ports, Epoch, _version) { GratArpLocked = _locked };

    /// <summary>How long a gratuitous ARP learned on a port that is not a bond locks its entry (OVS MAC_GRAT_ARP_LOCK_TIME).</summary>
    public static readonly TimeSpan GratArpLockTime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Locks the entry of (<paramref name="vlan"/>, <paramref name="mac"/>) for <see cref="GratArpLockTime"/> from
    /// <paramref name="nowMs"/>: it was just learned from a gratuitous ARP on a port that is not a bond (OVS
    /// mac_entry_set_grat_arp_lock). Returns true when the entry was not locked before (the view changed).
    /// </summary>
    public bool LockGratArp(int vlan, ulong mac, long nowMs)
    {
        if (!_entries.ContainsKey((vlan, mac)))
        {
            return false;
        }

        var isNew = !_lockedUntil.ContainsKey((vlan, mac));
        _lockedUntil[(vlan, mac)] = nowMs + (long)GratArpLockTime.TotalMilliseconds;
        if (isNew)
        {
            _locked = _locked.Add((vlan, mac));
            Changed();
        }

        return isNew;
    }

    /// <summary>Releases the gratuitous-ARP locks that ran out at <paramref name="nowMs"/> (and those of removed entries); returns the released keys.</summary>
    public IReadOnlyList<(int Vlan, ulong Mac)> ExpireGratArpLocks(long nowMs)
    {
        List<(int Vlan, ulong Mac)>? released = null;
        foreach (var (key, until) in _lockedUntil)
        {
            if (until <= nowMs || !_entries.ContainsKey(key))
            {
                (released ??= new()).Add(key);
            }
        }

        if (released is null)
        {
            return [];
        }

        foreach (var key in released)
        {
            _lockedUntil.Remove(key);
        }

        _locked = _locked.Except(released);
        Changed();
        return released;
    }

    /// <summary>Totals since creation: entries learned, moved, expired and evicted (fdb/stats-show).</summary>
    public (long Learned, long Moved, long Expired, long Evicted) Statistics => (_learned, _moved, _expired, _evicted);

    /// <summary>
    /// Learns that <paramref name="mac"/> in <paramref name="vlan"/> is reachable through
    /// <paramref name="ofPort"/> at <paramref name="nowMs"/> (Unix ms). Multicast sources are never
    /// learned. An existing entry is refreshed when ≥ 1 s has passed or the port differs (a move).
    /// </summary>
    public MacLearnResult Learn(int vlan, ulong mac, int ofPort, long nowMs)
    {
        if (IsMulticast(mac))
        {
            return MacLearnResult.Unchanged;
        }

        if (_entries.TryGetValue((vlan, mac), out var node))
        {
            var entry = node.Value;
            if (entry.OfPort != ofPort)
            {
                DecrementPort(entry.OfPort);
                IncrementPort(ofPort);
                entry.OfPort = ofPort;
                entry.LastSeenMs = nowMs;
                Touch(node);
                _ports = _ports.SetItem((vlan, mac), ofPort);
                _moved++;
                Changed();
                return MacLearnResult.Moved;
            }

            if (nowMs - entry.LastSeenMs >= 1000)
            {
                entry.LastSeenMs = nowMs;
                Touch(node);
                return MacLearnResult.Refreshed;
            }

            return MacLearnResult.Unchanged;
        }

        if (_entries.Count >= MaxEntries)
        {
            EvictFairly();
        }

        var created = _lru.AddLast(new Entry(vlan, mac, ofPort, nowMs));
        _entries.Add((vlan, mac), created);
        _ports = _ports.SetItem((vlan, mac), ofPort);
        IncrementPort(ofPort);
        _learned++;
        Changed();
        return MacLearnResult.Learned;
    }

    /// <summary>
    /// Refreshes an existing entry on the same port without creating or moving one; used when a
    /// revalidator sees a cached megaflow carry traffic (OVS learns from pushed stats, ovs-facts §2.1).
    /// </summary>
    public void Refresh(int vlan, ulong mac, int ofPort, long nowMs)
    {
        if (_entries.TryGetValue((vlan, mac), out var node) && node.Value.OfPort == ofPort && nowMs > node.Value.LastSeenMs)
        {
            node.Value.LastSeenMs = nowMs;
            Touch(node);
        }
    }

    /// <summary>Looks up the port of (<paramref name="vlan"/>, <paramref name="mac"/>); null if unknown or multicast.</summary>
    public int? Lookup(int vlan, ulong mac) =>
        !IsMulticast(mac) && _entries.TryGetValue((vlan, mac), out var node) ? node.Value.OfPort : null;

    /// <summary>Removes every entry idle longer than <see cref="AgingTime"/> at <paramref name="nowMs"/>; returns the removed entries.</summary>
    public IReadOnlyList<MacEntry> Expire(long nowMs)
    {
        var removed = new List<MacEntry>();
        var limit = (long)AgingTime.TotalMilliseconds;

        // The LRU list is ordered by last refresh, oldest first: stop at the first live entry.
        while (_lru.First is { } oldest && nowMs - oldest.Value.LastSeenMs >= limit)
        {
            removed.Add(oldest.Value.ToEntry());
            RemoveNode(oldest);
            _expired++;
        }

        if (removed.Count > 0)
        {
            Changed();
        }

        return removed;
    }

    /// <summary>Removes every entry (fdb/flush); returns how many were removed.</summary>
    public int Flush()
    {
        var n = _entries.Count;
        _entries.Clear();
        _lru.Clear();
        _perPort.Clear();
        _ports = ImmutableDictionary<(int Vlan, ulong Mac), int>.Empty;
        _lockedUntil.Clear();
        _locked = _locked.Clear();
        Changed();
        return n;
    }

    /// <summary>Removes every entry learned on <paramref name="ofPort"/> (port deleted or down); returns the removed entries.</summary>
    public IReadOnlyList<MacEntry> FlushPort(int ofPort)
    {
        var removed = new List<MacEntry>();
        for (var node = _lru.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.OfPort == ofPort)
            {
                removed.Add(node.Value.ToEntry());
                RemoveNode(node);
            }

            node = next;
        }

        if (removed.Count > 0)
        {
            Changed();
        }

        return removed;
    }

    /// <summary>All entries, least recently used first (the order fdb/show prints).</summary>
    public IReadOnlyList<MacEntry> Snapshot()
    {
        var list = new List<MacEntry>(_entries.Count);
        foreach (var e in _lru)
        {
            list.Add(e.ToEntry());
        }

        return list;
    }

    /// <summary>
    /// Bumps <see cref="Version"/> without changing any entry: something else NORMAL reads changed (a bond's active
    /// member or input rule), so every megaflow translated before is stale and the revalidators translate it again.
    /// </summary>
    public void MarkChanged() => Changed();

    /// <summary>True for group addresses (I/G bit set), which are never learned and always flooded.</summary>
    public static bool IsMulticast(ulong mac) => (mac & 0x0100_0000_0000UL) != 0;

    private void Changed()
    {
        _version++;
        _view = null;
    }

    private void EvictFairly()
    {
        var victimPort = -1;
        var most = -1;
        foreach (var (port, count) in _perPort)
        {
            if (count > most)
            {
                most = count;
                victimPort = port;
            }
        }

        for (var node = _lru.First; node is not null; node = node.Next)
        {
            if (node.Value.OfPort == victimPort)
            {
                RemoveNode(node);
                _evicted++;
                return;
            }
        }
    }

    private void Touch(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _lru.AddLast(node);
    }

    private void RemoveNode(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _entries.Remove((node.Value.Vlan, node.Value.Mac));
        _ports = _ports.Remove((node.Value.Vlan, node.Value.Mac));
        DecrementPort(node.Value.OfPort);
    }

    private void IncrementPort(int port) => _perPort[port] = _perPort.GetValueOrDefault(port) + 1;

    private void DecrementPort(int port)
    {
        var n = _perPort.GetValueOrDefault(port) - 1;
        if (n <= 0)
        {
            _perPort.Remove(port);
        }
        else
        {
            _perPort[port] = n;
        }
    }

    private sealed class Entry(int vlan, ulong mac, int ofPort, long lastSeenMs)
    {
        public int Vlan { get; } = vlan;

        public ulong Mac { get; } = mac;

        public int OfPort { get; set; } = ofPort;

        public long LastSeenMs { get; set; } = lastSeenMs;

        public MacEntry ToEntry() => new(Vlan, Mac, OfPort, LastSeenMs);
    }
}
