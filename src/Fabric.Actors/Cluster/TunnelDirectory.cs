namespace Fabric.Actors.Cluster;

/// <summary>
/// The node's tunnel ports, published by the tunnel manager (their only writer) as an immutable list and read by
/// the bridges, so a bridge that restarts finds its tunnel ports again without asking anyone.
/// </summary>
public sealed class TunnelDirectory
{
    private IReadOnlyList<TunnelPort> _current = [];

    /// <summary>Every tunnel port of every bridge now.</summary>
    public IReadOnlyList<TunnelPort> Current => Volatile.Read(ref _current);

    /// <summary>The tunnel ports of <paramref name="bridge"/>.</summary>
    public IReadOnlyList<TunnelPort> Of(string bridge) => Current.Where(t => t.Bridge == bridge).ToArray();

    /// <summary>Replaces the whole list (tunnel manager only).</summary>
    public void Publish(IReadOnlyList<TunnelPort> tunnels)
    {
        ArgumentNullException.ThrowIfNull(tunnels);
        Volatile.Write(ref _current, tunnels.ToArray());
    }
}
