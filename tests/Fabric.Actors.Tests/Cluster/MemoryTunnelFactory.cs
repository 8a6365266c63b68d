using System.Collections.Concurrent;
using System.Net;
using Fabric.Actors.Cluster;
using Fabric.Datapath.Ports;

namespace Fabric.Actors.Tests.Cluster;

/// <summary>Tunnel ports as in-memory ports, recording what the tunnel manager asked of each (attached, enabled).</summary>
public sealed class MemoryTunnelFactory : ITunnelFactory
{
    /// <summary>Every tunnel created, by name.</summary>
    public ConcurrentDictionary<string, MemoryTunnel> Tunnels { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IDatapathPort Create(string name, IPAddress remote, int vni)
    {
        var t = new MemoryTunnel(name, remote, vni);
        Tunnels[name] = t;
        return t.Port;
    }

    /// <inheritdoc />
    public void Attach(IDatapathPort tunnel, ushort dpPort) => Tunnels[tunnel.Name].DpPort = dpPort;

    /// <inheritdoc />
    public void Detach(IDatapathPort tunnel) => Tunnels[tunnel.Name].Detached = true;

    /// <inheritdoc />
    public void SetEnabled(IDatapathPort tunnel, bool enabled) => Tunnels[tunnel.Name].Enabled = enabled;

    /// <summary>One tunnel: its port and what was done to it.</summary>
    public sealed class MemoryTunnel(string name, IPAddress remote, int vni)
    {
        /// <summary>The in-memory port standing for the tunnel.</summary>
        public MemoryPort Port { get; } = new(name);

        /// <summary>The remote VTEP.</summary>
        public IPAddress Remote { get; } = remote;

        /// <summary>The VNI.</summary>
        public int Vni { get; } = vni;

        /// <summary>The datapath port it was attached as (0 = not yet).</summary>
        public volatile ushort DpPort;

        /// <summary>Last enabled state set.</summary>
        public volatile bool Enabled;

        /// <summary>Detached by the manager.</summary>
        public volatile bool Detached;
    }
}
