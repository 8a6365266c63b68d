using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Host.Node.Handover;

namespace Fabric.Host.Keeper;

/// <summary>
/// The port descriptors a keeper holds (its descriptor store): one open descriptor per AF_PACKET socket and TAP device
/// of its node, received from the node's last deposit. Holding them keeps every socket bound and every TAP device in
/// existence, with its addresses and routes, and the kernel queuing their frames, while no node runs.
/// </summary>
/// <remarks>Not thread-safe: the keeper calls it under its lock. The descriptors are close-on-exec, so the nodes it starts do not inherit them.</remarks>
internal sealed class KeptPorts : IDisposable
{
    private HandedOverPort[] _ports = [];
    private int[] _fds = [];

    /// <summary>The ports, in descriptor order.</summary>
    public IReadOnlyList<HandedOverPort> Ports => _ports;

    /// <summary>The descriptors (owned here).</summary>
    public int[] Fds => _fds;

    /// <summary>
    /// Takes <paramref name="fds"/> over and closes the descriptors held before: a port the node no longer has goes
    /// (a TAP device is deleted once no process holds it), the others are held through the new descriptors.
    /// </summary>
    public void Replace(IReadOnlyList<HandedOverPort> ports, int[] fds)
    {
        FdPassing.Close(_fds);
        _ports = [.. ports];
        _fds = fds;
    }

    /// <summary>
    /// Reads and so resets every AF_PACKET socket's PACKET_STATISTICS: the next node's read of them then counts only
    /// what arrived since (the frames that waited for it, and those a full buffer dropped).
    /// </summary>
    public void ResetStatistics()
    {
        for (var i = 0; i < _fds.Length; i++)
        {
            if (_ports[i].Kind == "afpacket")
            {
                AfPacketPort.TakeStatistics(_fds[i]);
            }
        }
    }

    /// <summary>One line: the ports held, e.g. "2 ports (veth1 afpacket, tap0 tap)".</summary>
    public string Describe() => $"{_ports.Length} port(s) ({string.Join(", ", _ports.Select(p => $"{p.Name} {p.Kind}"))})";

    /// <summary>Closes every descriptor.</summary>
    public void Dispose()
    {
        FdPassing.Close(_fds);
        _fds = [];
        _ports = [];
    }
}
