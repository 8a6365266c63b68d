using Fabric.Actors.Bridge;

namespace Fabric.Host.Configuration;

/// <summary>One port of a bridge as the config file declares it (<c>fabric.bridges[i].ports[j]</c>).</summary>
/// <param name="Name">Interface name (≤ 15 characters).</param>
/// <param name="Type">"system" (AF_PACKET on an existing interface), "tap" (a TAP device the node creates), "bond" or "vxlan" (a VXLAN tunnel).</param>
/// <param name="OfPort">Requested OpenFlow port number, or null for the next free one.</param>
/// <param name="Mode">VLAN mode (access when only a tag is given, trunk when nothing is).</param>
/// <param name="Tag">Access or native VLAN.</param>
/// <param name="Trunks">VLANs a trunk carries (empty = all).</param>
public sealed record PortSettings(string Name, string Type, int? OfPort, VlanMode Mode, int? Tag, IReadOnlySet<int> Trunks)
{
    /// <summary>For a bond (<see cref="Type"/> "bond"): its interfaces, in order (≥ 2).</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>For a bond: its settings, with <see cref="Fabric.Actors.Bonds.BondSettings.BondId"/> 0 and no members yet (the node numbers them).</summary>
    public Fabric.Actors.Bonds.BondSettings? Bond { get; init; }

    /// <summary>
    /// For a system or TAP port: virtio-net headers on its socket or device (<c>vnet-headers = on|off</c>), or null
    /// for the node's <c>fabric.datapath.vnet-headers</c>.
    /// </summary>
    public bool? VnetHeaders { get; init; }

    /// <summary>For a VXLAN port (<see cref="Type"/> "vxlan"): its tunnel; null otherwise.</summary>
    public VxlanPortSettings? Vxlan { get; init; }
}
