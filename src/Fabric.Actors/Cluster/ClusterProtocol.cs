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

    /// <summary>From the node: its cluster actor system was downed and terminated; a new one starts after a pause.</summary>
    /// <param name="Reason">Why (Akka's coordinated-shutdown reason).</param>
    public sealed record ClusterSystemTerminated(string Reason);
}
