using Fabric.Actors.Shards;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Datapath;

/// <summary>
/// The datapath actor's memory of recent MAC learning changes (<see cref="DatapathProtocol.InvalidateMacs"/>), so an
/// install translated against a MAC table older than a change it depends on is recognised when it arrives after
/// that change's invalidation (which could not delete it yet), and is not installed.
/// </summary>
/// <remarks>
/// <para>
/// The race it closes: a shard translates a flood towards an unknown address; before its install reaches the
/// datapath actor, the bridge learns the address and invalidates the flows towards it. Without this log the flood
/// megaflow is installed after its invalidation and floods until the revalidator's next sweep. OVS closes the same
/// window with the revalidation sequence a ukey is created under: a translation from before a MAC change is
/// revalidated rather than trusted.
/// </para>
/// <para>
/// One entry per (bridge, VLAN, address): the newest change's MAC table epoch and version. Bounded: past
/// <see cref="Capacity"/> entries the log is cleared and remembers, per bridge, the newest version it forgot; an
/// install translated before that version cannot be judged and is installed as before (the sweep still repairs
/// it). Owned by the datapath actor alone.
/// </para>
/// </remarks>
internal sealed class MacChangeLog
{
    /// <summary>Entries kept before the log is cleared.</summary>
    public const int Capacity = 4096;

    private const ulong ExactMac = 0xffff_ffff_ffffUL;
    private readonly Dictionary<(string Bridge, int Vlan, ulong Mac), Change> _last = new();
    private readonly Dictionary<string, (long Epoch, long Version)> _forgotten = new();

    /// <summary>Remembers the changes of <paramref name="m"/> (nothing when it carries no MAC table stamp).</summary>
    public void Record(DatapathProtocol.InvalidateMacs m)
    {
        if (m.Bridge is not { } bridge)
        {
            return;
        }

        if (_last.Count + m.Changes.Count > Capacity)
        {
            Forget();
        }

        foreach (var c in m.Changes)
        {
            var id = (bridge, c.Vlan, c.Mac);
            // A later source change on the same address keeps the source flag of an earlier one it has not superseded.
            var source = c.Source || (_last.TryGetValue(id, out var old) && old.Epoch == m.Epoch && old.Source);
            _last[id] = new Change(m.Epoch, m.Version, source, m.Ports);
        }
    }

    /// <summary>
    /// True when a megaflow of <paramref name="key"/> and <paramref name="mask"/>, translated under
    /// <paramref name="owner"/>'s MAC table version, would have been deleted by a change recorded since: its
    /// address towards (dl_dst), or from (dl_src, for moves and expiries), changed after the translation.
    /// </summary>
    public bool Supersedes(in FlowKey key, in FlowMask mask, MegaflowOwner owner)
    {
        if (_last.Count == 0)
        {
            return false;
        }

        if (_forgotten.TryGetValue(owner.Bridge, out var floor)
            && (floor.Epoch > owner.MacTableEpoch || (floor.Epoch == owner.MacTableEpoch && floor.Version > owner.MacTableVersion)))
        {
            // Changes after this translation may have been forgotten: cannot tell, so trust it as before.
            return false;
        }

        // Towards a changed address: wrong when it moved or expired, or when it was learned and the flow flooded for want
        // of it (a flow the poll thread forwarded to where it had just sent the address to be learned is right).
        if (mask.DlDst == ExactMac && Newer(owner, key.DlDst, key.InPort, out var dst) && (dst.Source || owner.Flooded))
        {
            return true;
        }

        // From a changed address: wrong only when it moved or expired (learning a new source is what the flow asked for).
        return mask.DlSrc == ExactMac && Newer(owner, key.DlSrc, key.InPort, out var src) && src.Source;
    }

    private bool Newer(MegaflowOwner owner, ulong mac, ushort inPort, out Change change) =>
        _last.TryGetValue((owner.Bridge, owner.Vlan, mac), out change)
        && change.Epoch == owner.MacTableEpoch
        && change.Version > owner.MacTableVersion
        && DatapathActor.Contains(change.Ports, inPort);

    private void Forget()
    {
        foreach (var (id, c) in _last)
        {
            // Epochs only grow (each MAC table instance takes the next), so the newest incarnation's newest change is the floor.
            if (!_forgotten.TryGetValue(id.Bridge, out var f) || c.Epoch > f.Epoch || (c.Epoch == f.Epoch && c.Version > f.Version))
            {
                _forgotten[id.Bridge] = (c.Epoch, c.Version);
            }
        }

        _last.Clear();
    }

    private readonly record struct Change(long Epoch, long Version, bool Source, IReadOnlyList<ushort> Ports);
}
