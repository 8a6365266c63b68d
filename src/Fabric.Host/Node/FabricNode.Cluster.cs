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

    /// <summary>The cluster tunnel ports, for a successor (<see cref="Handover.HandedOverTunnel"/>).</summary>
    internal IReadOnlyList<Handover.HandedOverTunnel> HandedOverTunnels() =>
        Tunnels.Current.Select(t => new Handover.HandedOverTunnel(t.Bridge, t.Name, t.Node, t.Vtep.ToString(), t.Vni, t.Enabled)).ToArray();

    /// <summary>
    /// On a takeover: creates the predecessor's tunnel ports again on the handed-over endpoint, under their names (so
    /// the datapath actor gives them their journaled numbers and the restored megaflows stay right), attaches them and
    /// publishes them before the bridges start and before the datapath forwards — the peers' traffic through this node
    /// goes on while its own cluster actor system joins again. The tunnel manager adopts them.
    /// </summary>
    private async Task RestoreTunnelsAsync(IReadOnlyList<Handover.HandedOverTunnel> tunnels)
    {
        if (_clusterEndpoint is not { } endpoint || tunnels.Count == 0)
        {
            return;
        }

        var restored = new List<TunnelPort>();
        foreach (var t in tunnels)
        {
            if (VniOf(t.Bridge) != t.Vni || !global::System.Net.IPAddress.TryParse(t.Vtep, out var vtep))
            {
                continue;
            }

            var port = endpoint.CreateTunnel(t.Name, vtep, (uint)t.Vni);
            var added = await DatapathActor.Ask<Fabric.Actors.Datapath.DatapathProtocol.PortAdded>(new Fabric.Actors.Datapath.DatapathProtocol.AddPort(port, 0), AskTimeout).ConfigureAwait(false);
            endpoint.Attach(port, added.PortNo);
            port.Enabled = t.Enabled;
            restored.Add(new TunnelPort(t.Bridge, t.Name, added.PortNo, t.Node, vtep, t.Vni, t.Enabled));
            _restoredTunnels[t.Name] = port;
        }

        Tunnels.Publish(restored);
        _log.LogInformation("cluster: {Count} tunnel port(s) taken over: {Names}", restored.Count, string.Join(", ", restored.Select(t => $"{t.Name} (dp port {t.DpPort})")));
    }

    private readonly Dictionary<string, Fabric.Datapath.Ports.IDatapathPort> _restoredTunnels = new(StringComparer.Ordinal);

    /// <summary>
    /// Opens the VXLAN endpoint of the cluster tunnels (UDP on the VTEP address) with the other port devices, when the
    /// node is clustered and has a bridge with a VNI; it is numbered with the other endpoints.
    /// </summary>
    /// <exception cref="Fabric.Datapath.Ports.PortException">The socket could not be bound (not a local address, port in use).</exception>
    private void OpenClusterEndpoint(Dictionary<string, Fabric.Datapath.Ports.IDatapathPort>? handedOver)
    {
        if (Settings.Cluster is { } cluster && Settings.Bridges.Any(b => b.Vni != 0))
        {
            // Shared with static vxlan ports on the same address and port: one socket per (address, port).
            _clusterEndpoint = EndpointFor(cluster.Vtep, cluster.VxlanPort, handedOver);
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
        var adopted = Tunnels.Current.Where(t => _restoredTunnels.ContainsKey(t.Name)).Select(t => (t, _restoredTunnels[t.Name])).ToArray();
        TunnelManager = System.ActorOf(TunnelManagerActor.Props(bridges, factory, DatapathActor, Tunnels, cluster.Vtep, adopted), "tunnels");
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
