namespace Fabric.Actors.Bridge;

/// <summary>
/// One MAC learning entry: (VLAN, MAC) learned on an OpenFlow port, as in OVS's <c>struct mac_entry</c>.
/// Immutable snapshot handed out by <see cref="MacLearningTable"/>.
/// </summary>
/// <param name="Vlan">VLAN id 0..4095 (0 = untagged/none).</param>
/// <param name="Mac">Ethernet address, 48 bits in the low bits (network order).</param>
/// <param name="OfPort">OpenFlow port number the address was last seen on.</param>
/// <param name="LastSeenMs">Unix time (ms) of the last refresh.</param>
public sealed record MacEntry(int Vlan, ulong Mac, int OfPort, long LastSeenMs);
