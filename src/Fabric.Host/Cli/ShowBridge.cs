namespace Fabric.Host.Cli;

/// <summary>One bridge in <c>fabric ctl show</c> output.</summary>
/// <param name="Name">The bridge name.</param>
/// <param name="Ports">The bridge's ports, printed in this order.</param>
/// <param name="DatapathType">The Bridge <c>datapath_type</c> line (e.g. <c>netdev</c>, <c>dummy</c>), or null to omit it.</param>
public sealed record ShowBridge(string Name, IReadOnlyList<ShowPort> Ports, string? DatapathType = null);
