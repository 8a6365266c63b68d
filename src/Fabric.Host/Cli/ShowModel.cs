namespace Fabric.Host.Cli;

/// <summary>Everything <c>fabric ctl show</c> prints, in the shape of <c>ovs-vsctl show</c>.</summary>
/// <param name="Id">The node's UUID, printed as the first line (like the Open_vSwitch row UUID), or null to omit it.</param>
/// <param name="Bridges">The bridges, printed in this order.</param>
public sealed record ShowModel(Guid? Id, IReadOnlyList<ShowBridge> Bridges)
{
    /// <summary>How the node started (<c>started: "…"</c> after the bridges, where ovs-vsctl prints <c>ovs_version</c>); null to omit.</summary>
    public string? Started { get; init; }

    /// <summary>The switch-over that started it: time without a reader, frames waiting (<c>switch_over: "…"</c>); null to omit.</summary>
    public string? SwitchOver { get; init; }

    /// <summary>The keeper holding the node's port descriptors (<c>keeper: "…"</c>); null to omit.</summary>
    public string? Keeper { get; init; }
}
