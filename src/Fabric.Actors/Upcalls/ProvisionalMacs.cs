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

    /// <summary>Entries beyond which an <see cref="Add"/> first forgets the expired ones (a burst of new sources).</summary>
    public const int PurgeAbove = 1024;

    private readonly Dictionary<(long Epoch, int Vlan, ulong Mac), Entry> _entries = new();
    private readonly List<(long Epoch, int Vlan, ulong Mac)> _expired = new();

    /// <summary>Entries held now (across every bridge this poll thread serves, expired ones included until looked up or purged).</summary>
    public int Count => _entries.Count;

    /// <summary>Remembers that <paramref name="mac"/> in <paramref name="vlan"/> was sent to be learned on <paramref name="ofPort"/> in the table of <paramref name="epoch"/> at <paramref name="nowMs"/>.</summary>
    public void Add(long epoch, int vlan, ulong mac, int ofPort, long nowMs)
    {
        if (_entries.Count >= PurgeAbove)
        {
            Purge(nowMs);
        }

        _entries[(epoch, vlan, mac)] = new Entry(ofPort, nowMs);
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

    private void Purge(long nowMs)
    {
        foreach (var (k, e) in _entries)
        {
            if (nowMs - e.AtMs > LifetimeMs)
            {
                _expired.Add(k);
            }
        }

        foreach (var k in _expired)
        {
            _entries.Remove(k);
        }

        _expired.Clear();
    }

    private readonly record struct Entry(int OfPort, long AtMs);
}
