namespace Fabric.Host.Node.Handover;

/// <summary>
/// One cluster tunnel port in a hand-over (issue 9 §3): the successor creates it again on the handed-over VXLAN
/// endpoint before it forwards, under the same name (so the datapath actor gives it the same journaled number and the
/// restored megaflows that use it stay right), long before its own cluster actor system has joined.
/// </summary>
/// <param name="Bridge">The bridge it belongs to.</param>
/// <param name="Name">Its port name, <c>vxVNI-NODE</c>.</param>
/// <param name="Node">The peer's node name.</param>
/// <param name="Vtep">The peer's VTEP address.</param>
/// <param name="Vni">The VNI.</param>
/// <param name="Enabled">Whether the peer was reachable at hand-over.</param>
public sealed record HandedOverTunnel(string Bridge, string Name, string Node, string Vtep, int Vni, bool Enabled);
