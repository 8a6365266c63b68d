namespace Fabric.Actors.Shards;

/// <summary>
/// The control-plane tag the datapath actor keeps on every megaflow a flow-table shard installs (OVS keeps the
/// same facts in its ukey): the bridge, the VLAN NORMAL assigned, and the MAC table the flow was translated
/// against (which table instance and at what version), so a revalidator knows when to translate it again.
/// Immutable data: no actor writes into it after the install.
/// </summary>
/// <param name="Bridge">Bridge name.</param>
/// <param name="Vlan">VLAN the flow's frames belong to on the bridge (-1 when dropped before VLAN assignment).</param>
/// <param name="MacTableEpoch">Identity of the MAC table instance (a restarted bridge has a new one; 0 for a flow restored from the journal).</param>
/// <param name="MacTableVersion">The table's version at translation (-1 for a restored flow).</param>
/// <param name="Flooded">NORMAL flooded the flow because its destination was not in that table version (not journaled:
/// a restored flow is translated again anyway).</param>
public sealed record MegaflowOwner(string Bridge, int Vlan, long MacTableEpoch, long MacTableVersion, bool Flooded = false);
