using System.Net;

namespace Fabric.Actors.Cluster;

/// <summary>
/// One VXLAN tunnel port of a bridge towards a peer node (RFC 7348): a datapath port whose output is encapsulated
/// with the bridge's VNI and sent to the peer's VTEP, and on which frames from that VTEP and VNI arrive.
/// </summary>
/// <param name="Bridge">The bridge it belongs to.</param>
/// <param name="Name">Port name, <c>vxVNI-NODE</c>.</param>
/// <param name="DpPort">Datapath port number.</param>
/// <param name="Node">The peer's node name.</param>
/// <param name="Vtep">The peer's VTEP address.</param>
/// <param name="Vni">The bridge's VXLAN network identifier (24 bits).</param>
/// <param name="Enabled">False while the peer is unreachable: the port carries nothing and NORMAL does not use it.</param>
public sealed record TunnelPort(string Bridge, string Name, ushort DpPort, string Node, IPAddress Vtep, int Vni, bool Enabled);
