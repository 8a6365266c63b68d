using System.Collections.ObjectModel;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// An immutable snapshot of the datapath's ports and of which poll thread receives on each, published whole
/// to the poll threads on every change. A port keeps its poll thread for as long as it exists, so two threads
/// never call <see cref="IDatapathPort.Receive"/> on the same port while they switch snapshots.
/// </summary>
internal sealed class PortSet
{
    private readonly Dictionary<ushort, int> _threadOf;

    private PortSet(long version, Dictionary<ushort, IDatapathPort> ports, Dictionary<ushort, int> threadOf)
    {
        Version = version;
        Ports = new ReadOnlyDictionary<ushort, IDatapathPort>(ports);
        _threadOf = threadOf;
    }

    public static PortSet Empty { get; } = new(0, new Dictionary<ushort, IDatapathPort>(), new Dictionary<ushort, int>());

    /// <summary>Increases with every published change.</summary>
    public long Version { get; }

    public IReadOnlyDictionary<ushort, IDatapathPort> Ports { get; }

    /// <summary>The poll thread (0-based) that receives on <paramref name="portNo"/>.</summary>
    public int ThreadOf(ushort portNo) => _threadOf[portNo];

    /// <summary>The ports poll thread <paramref name="thread"/> receives on, in ascending port order (allocates).</summary>
    public List<ushort> PortsOf(int thread)
    {
        var list = new List<ushort>();
        foreach (KeyValuePair<ushort, int> kv in _threadOf)
        {
            if (kv.Value == thread)
            {
                list.Add(kv.Key);
            }
        }

        list.Sort();
        return list;
    }

    /// <summary>A new set with <paramref name="port"/> added as <paramref name="portNo"/>, given to the least-loaded of <paramref name="threads"/> poll threads.</summary>
    public PortSet With(ushort portNo, IDatapathPort port, int threads)
    {
        // Only ports that receive load a poll thread (a VXLAN tunnel's frames are received by its endpoint).
        var load = new int[threads];
        foreach (KeyValuePair<ushort, int> kv in _threadOf)
        {
            if (Ports[kv.Key].ReceiveMode != PortReceiveMode.None)
            {
                load[kv.Value]++;
            }
        }

        int best = 0;
        for (int t = 1; t < threads; t++)
        {
            if (load[t] < load[best])
            {
                best = t;
            }
        }

        var ports = new Dictionary<ushort, IDatapathPort>(Ports) { [portNo] = port };
        var threadOf = new Dictionary<ushort, int>(_threadOf) { [portNo] = best };
        return new PortSet(Version + 1, ports, threadOf);
    }

    /// <summary>A new set without <paramref name="portNo"/>; the other ports keep their threads.</summary>
    public PortSet Without(ushort portNo)
    {
        var ports = new Dictionary<ushort, IDatapathPort>(Ports);
        ports.Remove(portNo);
        var threadOf = new Dictionary<ushort, int>(_threadOf);
        threadOf.Remove(portNo);
        return new PortSet(Version + 1, ports, threadOf);
    }
}
