namespace Fabric.Actors.Datapath;

/// <summary>
/// One MAC learning change that makes megaflows wrong (OVS revalidates on the same events, ovs-facts §2.1):
/// the megaflows towards <paramref name="Mac"/> in <paramref name="Vlan"/> (they flooded, or forwarded to an old
/// port), and with <paramref name="Source"/> also those from it (after a move, or when it aged out).
/// </summary>
/// <param name="Vlan">VLAN 0..4095 on the bridge.</param>
/// <param name="Mac">Ethernet address, 48 bits in network order.</param>
/// <param name="Source">Also invalidate megaflows whose dl_src is the address.</param>
public readonly record struct MacInvalidation(int Vlan, ulong Mac, bool Source);
