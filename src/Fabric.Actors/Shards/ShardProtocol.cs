namespace Fabric.Actors.Shards;

/// <summary>Messages of <see cref="FlowTableShardActor"/> besides the upcalls it handles.</summary>
public static class ShardProtocol
{
    /// <summary>Timer message: run one revalidation sweep over the shard's megaflows.</summary>
    public sealed record Revalidate
    {
        /// <summary>The one instance.</summary>
        public static readonly Revalidate Instance = new();
    }

    /// <summary>Ask for the shard's counters; answered with <see cref="ShardCounters"/>.</summary>
    public sealed record GetCounters;

    /// <summary>Reply: upcalls handled, megaflows deleted as idle, modified and deleted as stale, last sweep (ms).</summary>
    public sealed record ShardCounters(long Upcalls, long IdleDeleted, long Modified, long StaleDeleted, double LastSweepMs);
}
