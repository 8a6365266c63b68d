using System.Collections.ObjectModel;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Forwarding;

/// <summary>An immutable snapshot of the datapath's ports, published whole to the poll threads on every change.</summary>
internal sealed class PortSet
{
    public PortSet(long version, Dictionary<ushort, IDatapathPort> ports)
    {
        Version = version;
        Ports = new ReadOnlyDictionary<ushort, IDatapathPort>(ports);
        var numbers = new List<ushort>(ports.Keys);
        numbers.Sort();
        Numbers = numbers.ToArray();
    }

    public static PortSet Empty { get; } = new(0, new Dictionary<ushort, IDatapathPort>());

    /// <summary>Increases with every published change.</summary>
    public long Version { get; }

    public IReadOnlyDictionary<ushort, IDatapathPort> Ports { get; }

    /// <summary>Port numbers in ascending order; poll thread t receives on the ports at indexes t, t + n, t + 2n, …</summary>
    public ushort[] Numbers { get; }
}
