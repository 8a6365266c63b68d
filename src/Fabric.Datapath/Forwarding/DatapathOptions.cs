namespace Fabric.Datapath.Forwarding;

/// <summary>Settings of a <see cref="Datapath"/>; defaults follow OVS's userspace datapath (ovs-facts §3.2, §3.3).</summary>
public sealed class DatapathOptions
{
    /// <summary>Number of poll threads (OVS PMD threads); ports are spread over them. At least 1.</summary>
    public int PollThreads { get; set; } = 1;

    /// <summary>Frames received per port per poll (OVS NETDEV_MAX_BURST = 32).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Exact-match cache entries per poll thread, a power of two (OVS: 8192).</summary>
    public int EmcEntries { get; set; } = 8192;

    /// <summary>Insert one EMC candidate in this many (OVS emc-insert-inv-prob, default 100; 1 = always; 0 = EMC off).</summary>
    public int EmcInsertInvProb { get; set; } = 100;

    /// <summary>Maximum number of megaflows (OVS flow-limit, default 200,000).</summary>
    public int FlowLimit { get; set; } = 200_000;

    /// <summary>Upcalls that may wait for the slow path; further misses are counted as lost.</summary>
    public int UpcallQueueCapacity { get; set; } = 4096;

    /// <summary>Longest a poll thread sleeps in poll(2) when no port is readable (ms).</summary>
    public int PollTimeoutMs { get; set; } = 10;

    /// <summary>Bytes per packet slot in receive and transmit batches.</summary>
    public int SlotSize { get; set; } = Buffers.PacketBatch.DefaultSlotSize;

    /// <summary>How often poll thread 0 re-ranks the megaflow subtables by hits (ms; OVS DPCLS_OPTIMIZATION_INTERVAL = 1000).</summary>
    public int RerankIntervalMs { get; set; } = 1000;

    /// <summary>Checks every setting; throws <see cref="ArgumentOutOfRangeException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PollThreads, 1, nameof(PollThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, 1024, nameof(BatchSize));
        if (EmcEntries < 2 || !System.Numerics.BitOperations.IsPow2(EmcEntries))
        {
            throw new ArgumentOutOfRangeException(nameof(EmcEntries), EmcEntries, "must be a power of two ≥ 2");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(EmcInsertInvProb, nameof(EmcInsertInvProb));
        ArgumentOutOfRangeException.ThrowIfLessThan(FlowLimit, 1, nameof(FlowLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(UpcallQueueCapacity, 1, nameof(UpcallQueueCapacity));
        ArgumentOutOfRangeException.ThrowIfNegative(PollTimeoutMs, nameof(PollTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(SlotSize, 64, nameof(SlotSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(RerankIntervalMs, 1, nameof(RerankIntervalMs));
    }
}
