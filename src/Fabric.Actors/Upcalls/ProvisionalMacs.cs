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

    private readonly List<Entry> _entries = new();

    /// <summary>Entries held now (across every bridge this poll thread serves, expired ones included until the next lookup).</summary>
    public int Count => _entries.Count;

    /// <summary>Remembers that <paramref name="mac"/> in <paramref name="vlan"/> was sent to be learned on <paramref name="ofPort"/> in the table of <paramref name="epoch"/> at <paramref name="nowMs"/>.</summary>
    public void Add(long epoch, int vlan, ulong mac, int ofPort, long nowMs)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Epoch == epoch && _entries[i].Vlan == vlan && _entries[i].Mac == mac)
            {
                _entries[i] = new Entry(epoch, vlan, mac, ofPort, nowMs);
                return;
            }
        }

        _entries.Add(new Entry(epoch, vlan, mac, ofPort, nowMs));
    }

    /// <summary>The port <paramref name="mac"/> was sent to be learned on less than <see cref="LifetimeMs"/> before <paramref name="nowMs"/>, or null; forgets older entries.</summary>
    public int? Lookup(long epoch, int vlan, ulong mac, long nowMs)
    {
        int? port = null;
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            var e = _entries[i];
            if (nowMs - e.AtMs > LifetimeMs)
            {
                _entries.RemoveAt(i);
            }
            else if (e.Epoch == epoch && e.Vlan == vlan && e.Mac == mac)
            {
                port = e.OfPort;
            }
        }

        return port;
    }

    private readonly record struct Entry(long Epoch, int Vlan, ulong Mac, int OfPort, long AtMs);
}
