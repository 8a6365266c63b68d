using Fabric.Actors.Bridge;

namespace Fabric.Actors.Shards;

/// <summary>
/// The control-plane tag kept on every megaflow a flow-table shard installs (OVS keeps the same
/// facts in its "ukey"): which bridge and shard own it, the VLAN NORMAL assigned, and the MAC table
/// generation it was translated at, so the shard's revalidator knows when to re-translate it.
/// </summary>
/// <remarks>Mutable fields are touched only by the owning shard actor.</remarks>
public sealed class MegaflowOwner
{
    /// <summary>Creates a tag.</summary>
    public MegaflowOwner(string bridge, int shard, int vlan, MacLearningTable? table, long xlateVersion)
    {
        Bridge = bridge;
        Shard = shard;
        Vlan = vlan;
        Table = table;
        XlateVersion = xlateVersion;
    }

    /// <summary>Bridge name.</summary>
    public string Bridge { get; }

    /// <summary>Index of the owning shard within the bridge.</summary>
    public int Shard { get; }

    /// <summary>VLAN the flow's frames belong to on the bridge (-1 if dropped before VLAN assignment).</summary>
    public int Vlan { get; }

    /// <summary>The MAC table the flow was translated against (a restarted bridge has a new one; null for a flow restored from the journal).</summary>
    public MacLearningTable? Table { get; set; }

    /// <summary>The <see cref="MacLearningTable.Version"/> at translation time.</summary>
    public long XlateVersion { get; set; }

    /// <summary>The megaflow's packet count at the previous revalidation sweep (to see it was used since).</summary>
    public long PacketsAtLastSweep { get; set; }
}
