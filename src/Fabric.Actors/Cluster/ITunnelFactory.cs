using System.Net;
using Fabric.Datapath.Ports;

namespace Fabric.Actors.Cluster;

/// <summary>
/// Makes the datapath ports of VXLAN tunnels for the tunnel manager: in a node, ports of its VXLAN endpoint (one UDP
/// socket on the VTEP address); in tests, in-memory ports.
/// </summary>
public interface ITunnelFactory
{
    /// <summary>A new tunnel port named <paramref name="name"/> to <paramref name="remote"/> with VNI <paramref name="vni"/>, not yet in the datapath.</summary>
    IDatapathPort Create(string name, IPAddress remote, int vni);

    /// <summary>The tunnel is datapath port <paramref name="dpPort"/> now: frames from its remote and VNI arrive there.</summary>
    void Attach(IDatapathPort tunnel, ushort dpPort);

    /// <summary>The tunnel is about to leave the datapath: its frames are no longer delivered.</summary>
    void Detach(IDatapathPort tunnel);

    /// <summary>Enables or disables a tunnel: a disabled one sends nothing (counted as transmit drops).</summary>
    void SetEnabled(IDatapathPort tunnel, bool enabled);
}
