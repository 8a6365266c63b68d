namespace Fabric.Actors.Cluster;

/// <summary>A MAC binding another node published: <paramref name="Mac"/> in <paramref name="Vlan"/> is on a local port of node <paramref name="Node"/>.</summary>
/// <param name="Vlan">VLAN id 0..4095.</param>
/// <param name="Mac">Ethernet address, 48 bits.</param>
/// <param name="Node">The node name behind whose tunnel port the address is.</param>
public sealed record RemoteMac(int Vlan, ulong Mac, string Node);
