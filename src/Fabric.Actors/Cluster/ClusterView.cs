namespace Fabric.Actors.Cluster;

/// <summary>
/// What this node's cluster actor system knows of the cluster at one moment: every member with its status and
/// reachability (as Akka's <c>CurrentClusterState</c> has them), the leader, and this node's own address.
/// </summary>
/// <param name="Self">This node's Akka address.</param>
/// <param name="SelfUid">This node's incarnation.</param>
/// <param name="Members">Every member, ordered by address.</param>
/// <param name="Leader">The leader's address, or null.</param>
/// <param name="Incarnations">How many cluster actor systems this process has started (more than 1 after being downed and rejoining).</param>
public sealed record ClusterView(string Self, long SelfUid, IReadOnlyList<ClusterMember> Members, string? Leader, int Incarnations)
{
    /// <summary>Why this node's cluster actor system last terminated (downed by the split-brain resolver), while it has not joined again; null otherwise.</summary>
    public string? Downed { get; init; }

    /// <summary>A view before the cluster actor system has said anything.</summary>
    public static ClusterView Empty { get; } = new("", 0, [], null, 0);

    /// <summary>This node as a member, or null before it has joined.</summary>
    public ClusterMember? SelfMember => Members.FirstOrDefault(m => m.Address == Self && m.Uid == SelfUid);

    /// <summary>True once this node is Up (only then does the view say which peers are gone).</summary>
    public bool SelfUp => SelfMember is { Status: "Up" or "WeaklyUp" or "Leaving" };
}
