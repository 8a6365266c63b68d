using System.Text;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Datapath.Actions;

/// <summary>
/// An immutable list of datapath actions, executed in order; the empty list means drop. Shared by
/// megaflows and read by poll threads without locks.
/// </summary>
public sealed class DatapathActions : IEquatable<DatapathActions>
{
    private readonly DatapathAction[] _items;
    private readonly int _hash;

    private DatapathActions(DatapathAction[] items)
    {
        _items = items;
        var hash = default(HashCode);
        bool outputsOnly = true, hasUserspace = false;
        foreach (DatapathAction a in items)
        {
            hash.Add(a);
            outputsOnly &= a.Kind is DatapathActionKind.Output or DatapathActionKind.Bond;
            hasUserspace |= a.Kind == DatapathActionKind.Userspace;
        }

        _hash = hash.ToHashCode();
        OutputsOnly = outputsOnly;
        HasUserspace = hasUserspace;
    }

    /// <summary>The empty action list: the packet is dropped.</summary>
    public static DatapathActions Drop { get; } = new([]);

    /// <summary>The actions, in execution order.</summary>
    public ReadOnlySpan<DatapathAction> Items => _items;

    /// <summary>Number of actions.</summary>
    public int Count => _items.Length;

    /// <summary>True when there are no actions (drop).</summary>
    public bool IsDrop => _items.Length == 0;

    /// <summary>True when every action is an output or a bond output (the frame need not be copied or modified).</summary>
    internal bool OutputsOnly { get; }

    /// <summary>True when some action sends the packet to the slow path.</summary>
    internal bool HasUserspace { get; }

    /// <summary>Creates an action list holding a copy of <paramref name="items"/>; empty returns <see cref="Drop"/>.</summary>
    public static DatapathActions Create(ReadOnlySpan<DatapathAction> items) =>
        items.IsEmpty ? Drop : new DatapathActions(items.ToArray());

    /// <summary>Outputs to each of <paramref name="ports"/> in order (e.g. a flood: "1,3").</summary>
    public static DatapathActions OutputTo(params ReadOnlySpan<ushort> ports)
    {
        if (ports.IsEmpty)
        {
            return Drop;
        }

        var items = new DatapathAction[ports.Length];
        for (int i = 0; i < ports.Length; i++)
        {
            items[i] = DatapathAction.Output(ports[i]);
        }

        return new DatapathActions(items);
    }

    /// <summary>
    /// ODP syntax exactly like OVS: "2", "1,3", "pop_vlan,4,push_vlan(vid=10,pcp=0),2,100,3", "drop",
    /// "userspace(pid=0,slow_path(action))".
    /// </summary>
    public override string ToString() => ToString(null);

    /// <summary>
    /// ODP syntax as <see cref="ToString()"/>, except that an output to a VXLAN tunnel port of <paramref name="ports"/>
    /// (the datapath's port snapshot) prints as OVS's native-tunnelling action,
    /// <c>tnl_push(tnl_port(N),header(…),out_port(E))</c> (<see cref="VxlanFormatter.TunnelPush"/>).
    /// </summary>
    public string ToString(IReadOnlyDictionary<ushort, IDatapathPort>? ports)
    {
        if (_items.Length == 0)
        {
            return "drop";
        }

        var sb = new StringBuilder();
        for (int i = 0; i < _items.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            DatapathAction a = _items[i];
            if (a.Kind == DatapathActionKind.Output && ports is not null
                && ports.TryGetValue(a.Port, out IDatapathPort? port) && port is VxlanTunnelPort tunnel)
            {
                sb.Append(VxlanFormatter.TunnelPush(tunnel, a.Port, VxlanFormatter.PortNumberOf(ports, tunnel.Endpoint)));
            }
            else
            {
                sb.Append(a.ToString());
            }
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(DatapathActions? other) =>
        other is not null && (ReferenceEquals(this, other) ||
                              (_hash == other._hash && _items.AsSpan().SequenceEqual(other._items)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DatapathActions);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;
}
