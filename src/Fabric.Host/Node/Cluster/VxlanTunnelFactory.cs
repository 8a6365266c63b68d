using System.Net;
using Fabric.Actors.Cluster;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Host.Node.Cluster;

/// <summary>Tunnel ports for the tunnel manager: ports of the node's VXLAN endpoint (one UDP socket on its VTEP).</summary>
/// <param name="endpoint">The node's VXLAN endpoint, already a datapath port.</param>
public sealed class VxlanTunnelFactory(VxlanEndpoint endpoint) : ITunnelFactory
{
    /// <inheritdoc />
    public IDatapathPort Create(string name, IPAddress remote, int vni) => endpoint.CreateTunnel(name, remote, (uint)vni);

    /// <inheritdoc />
    public void Attach(IDatapathPort tunnel, ushort dpPort) => endpoint.Attach((VxlanTunnelPort)tunnel, dpPort);

    /// <inheritdoc />
    public void Detach(IDatapathPort tunnel) => endpoint.Detach((VxlanTunnelPort)tunnel);

    /// <inheritdoc />
    public void SetEnabled(IDatapathPort tunnel, bool enabled) => ((VxlanTunnelPort)tunnel).Enabled = enabled;
}
