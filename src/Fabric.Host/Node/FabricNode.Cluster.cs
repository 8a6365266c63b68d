using Akka.Actor;
using Fabric.Actors.Cluster;
using Fabric.Datapath.Ports.Vxlan;
using Fabric.Host.Node.Cluster;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node;

/// <summary>The cluster part of a node: its tunnel manager, tunnel directory and cluster actor system.</summary>
public sealed partial class FabricNode
{
    private VxlanEndpoint? _clusterEndpoint;

    /// <summary>The node's VXLAN endpoint for its cluster tunnels (on the VTEP address), or null when it runs alone or no bridge has a VNI.</summary>
    public VxlanEndpoint? ClusterEndpoint => _clusterEndpoint;

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
    /// Opens the VXLAN endpoint of the cluster tunnels (UDP on the VTEP address) with the other port devices, when the
    /// node is clustered and has a bridge with a VNI; it is numbered with the other endpoints.
    /// </summary>
    /// <exception cref="Fabric.Datapath.Ports.PortException">The socket could not be bound (not a local address, port in use).</exception>
    private void OpenClusterEndpoint()
    {
        if (Settings.Cluster is { } cluster && Settings.Bridges.Any(b => b.Vni != 0))
        {
            // Shared with static vxlan ports on the same address and port: one socket per (address, port).
            _clusterEndpoint = EndpointFor(cluster.Vtep, cluster.VxlanPort);
        }
    }

    /// <summary>Starts the cluster part once the bridges run (a node alone, or without a VNI bridge, has none).</summary>
    private void StartClusterIfConfigured()
    {
        if (_clusterEndpoint is { } endpoint)
        {
            StartCluster(new VxlanTunnelFactory(endpoint), _level);
        }
        else if (Settings.Cluster is not null)
        {
            StartCluster(new NoTunnels(), _level);
        }
    }

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

    /// <summary>A clustered node without a bridge that has a VNI: members come and go, no tunnel is ever made.</summary>
    private sealed class NoTunnels : ITunnelFactory
    {
        public Fabric.Datapath.Ports.IDatapathPort Create(string name, System.Net.IPAddress remote, int vni) =>
            throw new InvalidOperationException("no bridge of this node has a VNI");

        public void Attach(Fabric.Datapath.Ports.IDatapathPort tunnel, ushort dpPort)
        {
        }

        public void Detach(Fabric.Datapath.Ports.IDatapathPort tunnel)
        {
        }

        public void SetEnabled(Fabric.Datapath.Ports.IDatapathPort tunnel, bool enabled)
        {
        }
    }
}
