namespace Fabric.Host.Configuration;

/// <summary>One bridge as the config file declares it (<c>fabric.bridges[i]</c>).</summary>
/// <param name="Name">Bridge name.</param>
/// <param name="MacTableSize">MAC learning capacity (entries).</param>
/// <param name="MacAgingTime">MAC learning idle time.</param>
/// <param name="Ports">Ports in declaration order.</param>
/// <param name="Vni">VXLAN network identifier (RFC 7348 §5, 24 bits) joining the bridge to its peers on the other cluster nodes; 0 = not tunnelled.</param>
public sealed record BridgeConfig(string Name, int MacTableSize, TimeSpan MacAgingTime, IReadOnlyList<PortSettings> Ports, int Vni = 0);
