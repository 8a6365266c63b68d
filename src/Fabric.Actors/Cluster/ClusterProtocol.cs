namespace Fabric.Actors.Cluster;

/// <summary>Messages of the cluster actors (<see cref="MembershipActor"/>, <see cref="TunnelManagerActor"/>).</summary>
public static class ClusterProtocol
{
    /// <summary>Ask for the latest <see cref="ClusterView"/> the tunnel manager has.</summary>
    public sealed record GetClusterView;

    /// <summary>Ask the tunnel manager for its tunnel ports; answered with <see cref="Tunnels"/>.</summary>
    public sealed record GetTunnels;

    /// <summary>Reply: every tunnel port.</summary>
    public sealed record Tunnels(IReadOnlyList<TunnelPort> Ports);

    /// <summary>To a bridge: the tunnel directory changed; read the bridge's tunnel ports again.</summary>
    public sealed record TunnelsChanged
    {
        /// <summary>The one instance.</summary>
        public static readonly TunnelsChanged Instance = new();
    }

    /// <summary>
    /// Node to node (Akka remoting, Hyperion with Fabric's allow-list): ask a peer's membership actor how it sees the
    /// cluster; answered with <see cref="PeerStatus"/>.
    /// </summary>
    public sealed record GetPeerStatus : IClusterMessage;

    /// <summary>A node's own account of itself, for <c>cluster/show</c> on its peers.</summary>
    /// <param name="Node">Its node name.</param>
    /// <param name="Incarnation">How many cluster actor systems it has started.</param>
    /// <param name="MembersUp">Members it sees Up and reachable (itself included).</param>
    /// <param name="TunnelsUp">Its enabled tunnel ports.</param>
    /// <param name="TunnelsDown">Its disabled tunnel ports (peer unreachable).</param>
    public sealed record PeerStatus(string Node, int Incarnation, int MembersUp, int TunnelsUp, int TunnelsDown) : IClusterMessage;

    /// <summary>From the node: its cluster actor system was downed and terminated; a new one starts after a pause.</summary>
    /// <param name="Reason">Why (Akka's coordinated-shutdown reason).</param>
    public sealed record ClusterSystemTerminated(string Reason);
}
