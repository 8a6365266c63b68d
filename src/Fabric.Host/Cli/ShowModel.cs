namespace Fabric.Host.Cli;

/// <summary>Everything <c>fabric ctl show</c> prints, in the shape of <c>ovs-vsctl show</c>.</summary>
/// <param name="Id">The node's UUID, printed as the first line (like the Open_vSwitch row UUID), or null to omit it.</param>
/// <param name="Bridges">The bridges, printed in this order.</param>
public sealed record ShowModel(Guid? Id, IReadOnlyList<ShowBridge> Bridges);
