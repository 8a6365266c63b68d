namespace Fabric.Actors.Shards;

/// <summary>Messages of <see cref="FlowTableShardActor"/>.</summary>
public static class ShardProtocol
{
    /// <summary>Timer message: run one revalidation sweep over the shard's slice of the megaflows.</summary>
    public sealed record Revalidate
    {
        /// <summary>The one instance.</summary>
        public static readonly Revalidate Instance = new();
    }

    /// <summary>The shard's upcall inbox went from empty to non-empty; sent by the upcall router, at most one outstanding.</summary>
    public sealed record UpcallsReady
    {
        /// <summary>The one instance.</summary>
        public static readonly UpcallsReady Instance = new();
    }

    /// <summary>Ask for the shard's counters; answered with <see cref="ShardCounters"/>.</summary>
    public sealed record GetCounters;

    /// <summary>Reply: the shard's counters.</summary>
    /// <param name="Upcalls">Upcalls handled (translated or executed as duplicates of a pending install).</param>
    /// <param name="Duplicates">Upcalls for a megaflow whose install was still pending: executed, not translated again.</param>
    /// <param name="Keys">Megaflows in the shard's slice at the last sweep (OVS "keys").</param>
    /// <param name="IdleDeleted">Megaflows deleted as idle (max-idle).</param>
    /// <param name="Modified">Megaflows whose actions revalidation replaced.</param>
    /// <param name="StaleDeleted">Megaflows deleted because revalidation produced another mask.</param>
    /// <param name="LastSweepMs">Duration of the last sweep (ms).</param>
    public sealed record ShardCounters(long Upcalls, long Duplicates, int Keys, long IdleDeleted, long Modified, long StaleDeleted, double LastSweepMs);
}
