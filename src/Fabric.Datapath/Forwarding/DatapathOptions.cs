namespace Fabric.Datapath.Forwarding;

/// <summary>Settings of a <see cref="Datapath"/>; defaults follow OVS's userspace datapath (ovs-facts §3.2, §3.3).</summary>
public sealed class DatapathOptions
{
    /// <summary>Most poll threads.</summary>
    public const int MaxPollThreads = 64;

    /// <summary>Most frames per batch.</summary>
    public const int MaxBatchSize = 1024;

    /// <summary>Most exact-match cache entries per poll thread.</summary>
    public const int MaxEmcEntries = 1 << 20;

    /// <summary>Highest flow limit.</summary>
    public const int MaxFlowLimit = 10_000_000;

    /// <summary>Most waiting upcalls.</summary>
    public const int MaxUpcallQueueCapacity = 1 << 20;

    /// <summary>Longest poll(2) timeout (ms): a poll thread sees a stop request within this time.</summary>
    public const int MaxPollTimeoutMs = 1000;

    /// <summary>Number of poll threads (OVS PMD threads); ports are spread over them. 1..<see cref="MaxPollThreads"/>.</summary>
    public int PollThreads { get; set; } = 1;

    /// <summary>Frames received per port per poll (OVS NETDEV_MAX_BURST = 32). 1..<see cref="MaxBatchSize"/>.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Exact-match cache entries per poll thread, a power of two in 2..<see cref="MaxEmcEntries"/> (OVS: 8192).</summary>
    public int EmcEntries { get; set; } = 8192;

    /// <summary>Insert one EMC candidate in this many (OVS emc-insert-inv-prob, default 100; 1 = always; 0 = EMC off). ≥ 0.</summary>
    public int EmcInsertInvProb { get; set; } = 100;

    /// <summary>Maximum number of megaflows (OVS flow-limit, default 200,000). 1..<see cref="MaxFlowLimit"/>.</summary>
    public int FlowLimit { get; set; } = 200_000;

    /// <summary>Upcalls that may wait for the slow path; further misses are counted as lost. 1..<see cref="MaxUpcallQueueCapacity"/>.</summary>
    public int UpcallQueueCapacity { get; set; } = 4096;

    /// <summary>Longest a poll thread sleeps in poll(2) when no port is readable (ms). 1..<see cref="MaxPollTimeoutMs"/>.</summary>
    public int PollTimeoutMs { get; set; } = 10;

    /// <summary>
    /// Bytes per packet slot in receive and transmit batches, 64..<see cref="Buffers.PacketBatch.LargeSlotSize"/>; when
    /// left at its default and <see cref="VnetHeaders"/> is on, slots are <see cref="Buffers.PacketBatch.LargeSlotSize"/>
    /// (<see cref="EffectiveSlotSize"/>).
    /// </summary>
    public int SlotSize { get; set; } = Buffers.PacketBatch.DefaultSlotSize;

    /// <summary>
    /// Whether the AF_PACKET and TAP ports opened for this datapath carry virtio-net headers
    /// (<see cref="Ports.AfPacketOptions.VnetHeaders"/>, <see cref="Ports.TapPort.Create"/>), so that GSO super-frames and
    /// partial checksums cross the switch whole. Off by default here; the node's setting
    /// <c>fabric.datapath.vnet-headers</c> defaults to on.
    /// </summary>
    public bool VnetHeaders { get; set; }

    /// <summary>The slot size batches use: <see cref="SlotSize"/>, raised to 64 KB frames with <see cref="VnetHeaders"/>.</summary>
    public int EffectiveSlotSize => VnetHeaders ? Math.Max(SlotSize, Buffers.PacketBatch.LargeSlotSize) : SlotSize;

    /// <summary>How often poll thread 0 re-ranks the megaflow subtables by hits (ms; OVS DPCLS_OPTIMIZATION_INTERVAL = 1000). ≥ 1.</summary>
    public int RerankIntervalMs { get; set; } = 1000;

    /// <summary>
    /// The rules every setting must satisfy, in one place: the datapath checks them when it is built and a
    /// configuration loader checks them before, so that it can point at the setting in its own terms.
    /// </summary>
    /// <returns>The first setting that breaks its rule (in declaration order), or null when all are valid.</returns>
    public DatapathOptionError? FindError() =>
        Outside(nameof(PollThreads), PollThreads, 1, MaxPollThreads)
        ?? Outside(nameof(BatchSize), BatchSize, 1, MaxBatchSize)
        ?? NotPowerOfTwo(nameof(EmcEntries), EmcEntries, 2, MaxEmcEntries)
        ?? Outside(nameof(EmcInsertInvProb), EmcInsertInvProb, 0, int.MaxValue)
        ?? Outside(nameof(FlowLimit), FlowLimit, 1, MaxFlowLimit)
        ?? Outside(nameof(UpcallQueueCapacity), UpcallQueueCapacity, 1, MaxUpcallQueueCapacity)
        ?? Outside(nameof(PollTimeoutMs), PollTimeoutMs, 1, MaxPollTimeoutMs, " ms")
        ?? Outside(nameof(SlotSize), SlotSize, 64, Buffers.PacketBatch.LargeSlotSize)
        ?? Outside(nameof(RerankIntervalMs), RerankIntervalMs, 1, int.MaxValue, " ms");

    /// <summary>Checks every setting (<see cref="FindError"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting breaks its rule; the parameter name is the property's name.</exception>
    public void Validate()
    {
        if (FindError() is { } error)
        {
            throw new ArgumentOutOfRangeException(error.Option, error.Reason);
        }
    }

    private static DatapathOptionError? NotPowerOfTwo(string option, int value, int min, int max) =>
        value >= min && value <= max && System.Numerics.BitOperations.IsPow2(value)
            ? null
            : new DatapathOptionError(option, $"{value} is not a power of two in {min}..{max}");

    private static DatapathOptionError? Outside(string option, int value, int min, int max, string unit = "")
    {
        if (value >= min && value <= max)
        {
            return null;
        }

        return new DatapathOptionError(option, max == int.MaxValue
            ? $"{value}{unit} is less than {min}{unit}"
            : $"{value}{unit} is outside {min}..{max}{unit}");
    }
}
