namespace Fabric.Host.Configuration;

/// <summary>One bridge as the config file declares it (<c>fabric.bridges[i]</c>).</summary>
/// <param name="Name">Bridge name.</param>
/// <param name="MacTableSize">MAC learning capacity (entries).</param>
/// <param name="MacAgingTime">MAC learning idle time.</param>
/// <param name="Ports">Ports in declaration order.</param>
public sealed record BridgeConfig(string Name, int MacTableSize, TimeSpan MacAgingTime, IReadOnlyList<PortSettings> Ports);
