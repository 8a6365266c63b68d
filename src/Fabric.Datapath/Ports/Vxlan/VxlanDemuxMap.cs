using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Ports.Vxlan;

/// <summary>
/// The endpoint's demultiplexing table: (outer source IPv4, VNI) → attached tunnel and the datapath port it was attached
/// as. Immutable; the endpoint builds a new one for every attach or detach (copy-on-write) and publishes it with a
/// volatile write, so its receiving thread looks datagrams up without a lock or an allocation, and a batch received
/// while a tunnel is detached still carries the port number it had when the batch began.
/// </summary>
internal sealed class VxlanDemuxMap
{
    private readonly FrozenDictionary<ulong, (VxlanTunnelPort Tunnel, ushort Port)> _tunnels;
    private readonly FrozenSet<uint> _remotes;

    private VxlanDemuxMap(Dictionary<ulong, (VxlanTunnelPort Tunnel, ushort Port)> tunnels)
    {
        _tunnels = tunnels.ToFrozenDictionary();
        var remotes = new HashSet<uint>();
        foreach ((VxlanTunnelPort t, _) in tunnels.Values)
        {
            remotes.Add(t.RemoteAddress);
        }

        _remotes = remotes.ToFrozenSet();
    }

    /// <summary>No tunnel attached: every datagram is dropped as from an unknown remote.</summary>
    public static VxlanDemuxMap Empty { get; } = new(new Dictionary<ulong, (VxlanTunnelPort, ushort)>());

    /// <summary>Number of attached tunnels.</summary>
    public int Count => _tunnels.Count;

    /// <summary>
    /// A new map with <paramref name="tunnel"/> attached as datapath port <paramref name="port"/> under its (remote, VNI);
    /// replaces nothing (the endpoint refuses duplicates).
    /// </summary>
    public VxlanDemuxMap With(VxlanTunnelPort tunnel, ushort port)
    {
        var next = new Dictionary<ulong, (VxlanTunnelPort, ushort)>(_tunnels) { [KeyOf(tunnel.RemoteAddress, tunnel.Vni)] = (tunnel, port) };
        return new VxlanDemuxMap(next);
    }

    /// <summary>A new map without <paramref name="tunnel"/>.</summary>
    public VxlanDemuxMap Without(VxlanTunnelPort tunnel)
    {
        var next = new Dictionary<ulong, (VxlanTunnelPort, ushort)>(_tunnels);
        next.Remove(KeyOf(tunnel.RemoteAddress, tunnel.Vni));
        return new VxlanDemuxMap(next);
    }

    /// <summary>
    /// The tunnel for datagrams from <paramref name="remote"/> (host order) with <paramref name="vni"/>: returns
    /// <see cref="DropReason.None"/>, the tunnel and its datapath port, or <see cref="DropReason.VxlanUnknownRemote"/> /
    /// <see cref="DropReason.VxlanUnknownVni"/>, null and 0. No allocation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DropReason Find(uint remote, uint vni, out VxlanTunnelPort? tunnel, out ushort port)
    {
        if (_tunnels.TryGetValue(KeyOf(remote, vni), out (VxlanTunnelPort Tunnel, ushort Port) entry))
        {
            tunnel = entry.Tunnel;
            port = entry.Port;
            return DropReason.None;
        }

        tunnel = null;
        port = 0;
        return _remotes.Contains(remote) ? DropReason.VxlanUnknownVni : DropReason.VxlanUnknownRemote;
    }

    private static ulong KeyOf(uint remote, uint vni) => ((ulong)remote << 32) | vni;
}
