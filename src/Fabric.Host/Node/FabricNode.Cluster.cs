using Akka.Actor;
using Fabric.Actors.Cluster;
using Fabric.Host.Node.Cluster;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node;

/// <summary>The cluster part of a node: its tunnel manager, tunnel directory and cluster actor system.</summary>
public sealed partial class FabricNode
{
    /// <summary>The node's tunnel ports, published by the tunnel manager and read by the bridges (empty when the node runs alone).</summary>
    public TunnelDirectory Tunnels { get; } = new();

    /// <summary>The tunnel manager (<c>/user/tunnels</c>), or Nobody when the node runs alone.</summary>
    public IActorRef TunnelManager { get; private set; } = ActorRefs.Nobody;

    /// <summary>The cluster actor system's keeper, or null when the node runs alone.</summary>
    public ClusterMembership? Membership { get; private set; }

    /// <summary>The bridges that span the cluster (a VNI), with their actors.</summary>
    public IReadOnlyList<TunnelBridge> TunnelledBridges =>
        _bridges.Where(b => VniOf(b.Settings.Name) != 0).Select(b => new TunnelBridge(b.Settings.Name, VniOf(b.Settings.Name), b.Actor)).ToArray();

    /// <summary>The configured VNI of bridge <paramref name="bridge"/> (0 = not tunnelled).</summary>
    public int VniOf(string bridge) => Settings.Bridges.FirstOrDefault(b => b.Name == bridge)?.Vni ?? 0;

    /// <summary>
    /// Starts the tunnel manager (in the node's own actor system, so it outlives a downed cluster system) and the
    /// cluster actor system, which joins the seed nodes in the background: forwarding never waits for the cluster.
    /// </summary>
    /// <param name="factory">Makes the tunnel ports (the node's VXLAN endpoint).</param>
    /// <param name="level">Akka's log level.</param>
    private void StartCluster(ITunnelFactory factory, LogLevel level)
    {
        if (Settings.Cluster is not { } cluster)
        {
            return;
        }

        var bridges = TunnelledBridges;
        TunnelManager = System.ActorOf(TunnelManagerActor.Props(bridges, factory, DatapathActor, Tunnels, cluster.Vtep), "tunnels");
        Membership = ClusterMembership.Start(Settings, cluster, TunnelManager, Tunnels, bridges, LoggerFactory, level);
    }

    /// <summary>Leaves the cluster before the node stops (peers then remove its tunnels at once instead of waiting for the failure detector).</summary>
    private async Task StopClusterAsync()
    {
        if (Membership is { } membership)
        {
            try
            {
                await membership.LeaveAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _log.LogWarning("cluster: the cluster actor system did not stop within 5 s");
            }

            await membership.DisposeAsync().ConfigureAwait(false);
            Membership = null;
        }
    }
}
