namespace Fabric.Actors.Bridge;

/// <summary>
/// A bridge's configuration: the immutable recipe a <see cref="BridgeActor"/> is built from, and
/// rebuilt from after a restart.
/// </summary>
public sealed record BridgeSettings
{
    /// <summary>Bridge name (e.g. "br0").</summary>
    public required string Name { get; init; }

    /// <summary>Ports in OpenFlow port order.</summary>
    public required IReadOnlyList<BridgePort> Ports { get; init; }

    /// <summary>MAC learning capacity (entries; OVS mac-table-size, default 8192).</summary>
    public int MacTableSize { get; init; } = 8192;

    /// <summary>MAC learning idle time (OVS mac-aging-time, default 300 s).</summary>
    public TimeSpan MacAgingTime { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Flow-table shard actors (each owns one slice of the flow-hash space), ≥ 1.</summary>
    public int Shards { get; init; } = 2;

    /// <summary>Megaflow idle time before its revalidator deletes it (OVS max-idle, default 10 s).</summary>
    public TimeSpan MaxIdle { get; init; } = TimeSpan.FromMilliseconds(10_000);

    /// <summary>Interval between revalidation sweeps (OVS max-revalidator, default 500 ms).</summary>
    public TimeSpan RevalidateInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
