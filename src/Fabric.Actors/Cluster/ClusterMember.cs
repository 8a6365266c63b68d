using System.Net;

namespace Fabric.Actors.Cluster;

/// <summary>One member of the Akka.Cluster as <c>cluster/show</c> prints it.</summary>
/// <param name="Address">Its Akka address, <c>akka.tcp://fabric@HOST:PORT</c>.</param>
/// <param name="Uid">Its incarnation (Akka's unique address uid): a restarted node joins with a new one.</param>
/// <param name="Node">Its node name (the <c>node:NAME</c> role), or the address when it has none.</param>
/// <param name="Vtep">Its VXLAN tunnel endpoint (the <c>vtep:IP</c> role), or null for a member that is not a Fabric node.</param>
/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down, Removed.</param>
/// <param name="Reachable">False while some member's failure detector marks it unreachable.</param>
/// <param name="Roles">Its cluster roles.</param>
public sealed record ClusterMember(string Address, long Uid, string Node, IPAddress? Vtep, string Status, bool Reachable, IReadOnlyList<string> Roles)
{
    /// <summary>When this node's cluster actor system learned the member was unreachable (Unix ms), or null while it is reachable.</summary>
    public long? UnreachableSinceMs { get; init; }

    /// <summary>The role that carries a node's VTEP address.</summary>
    public const string VtepRole = "vtep:";

    /// <summary>The role that carries a node's name.</summary>
    public const string NodeRole = "node:";

    /// <summary>True for the statuses in which a member's tunnels exist (Akka: from Up until Removed).</summary>
    public bool HasTunnel => Status is "Up" or "WeaklyUp" or "Leaving" or "Exiting";
}
