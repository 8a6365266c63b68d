namespace Fabric.Host.Cli;

/// <summary>One datapath port in <c>dpctl/show</c> output: <c>  port N: name (type: key=value, ...)</c>.</summary>
/// <param name="PortNo">The datapath port number.</param>
/// <param name="Name">The port name.</param>
/// <param name="Type">The port type; <c>system</c> is not printed (as in OVS), others are (<c>tap</c>, <c>vxlan</c>, <c>dummy</c>, <c>internal</c>).</param>
/// <param name="Config">Type-specific settings printed after the type, sorted by key (e.g. <c>remote_ip</c> for VXLAN); null or empty for none.</param>
public sealed record DpShowPort(int PortNo, string Name, string Type, IReadOnlyDictionary<string, string>? Config = null);
