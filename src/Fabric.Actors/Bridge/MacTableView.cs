using System.Collections.Immutable;

namespace Fabric.Actors.Bridge;

/// <summary>
/// An immutable version of a bridge's MAC learning table, (VLAN, MAC) → OpenFlow port, that the bridge actor
/// publishes after every change and its flow-table shards translate against. Readers never lock.
/// </summary>
/// <param name="Ports">The entries.</param>
/// <param name="Epoch">Identity of the table instance (each bridge incarnation has its own; never 0).</param>
/// <param name="Version">The table's change counter at this version.</param>
public sealed record MacTableView(ImmutableDictionary<(int Vlan, ulong Mac), int> Ports, long Epoch, long Version)
{
    /// <summary>Entries under the gratuitous-ARP lock (OVS MAC_GRAT_ARP_LOCK_TIME, 5 s, ovs-facts §1.8).</summary>
    public ImmutableHashSet<(int Vlan, ulong Mac)> GratArpLocked { get; init; } = ImmutableHashSet<(int Vlan, ulong Mac)>.Empty;

    /// <summary>
    /// True while (<paramref name="vlan"/>, <paramref name="mac"/>) was learned from a gratuitous ARP on a port that is
    /// not a bond less than 5 s ago: gratuitous ARPs arriving on a bond then neither move it nor pass the balance-slb
    /// looped-back check.
    /// </summary>
    public bool IsGratArpLocked(int vlan, ulong mac) => GratArpLocked.Contains((vlan, mac));

    /// <summary>The OpenFlow port <paramref name="mac"/> was learned on in <paramref name="vlan"/>; null if unknown or multicast.</summary>
    public int? Lookup(int vlan, ulong mac) =>
        !MacLearningTable.IsMulticast(mac) && Ports.TryGetValue((vlan, mac), out var port) ? port : null;
}
