namespace Fabric.Datapath.Ports;

/// <summary>
/// Per-port frame and byte counters, one row per writing thread (<see cref="Forwarding.CounterRows"/>: each row on
/// cache lines of its own). Row 0 is shared: writer 0, and any writer number without a row of its own, adds to it
/// with <see cref="Interlocked"/>, so any thread may use it. Rows 1..<see cref="Writers"/> each belong to one writing
/// thread (a poll thread's <see cref="Buffers.PacketBatch.Writer"/>, 1 + its index), which adds with plain reads and
/// volatile writes: no atomic instruction and no cache line written by two threads. The methods without a
/// <c>writer</c> argument add to the row of the poll thread that calls them (the shared row on any other thread), so
/// a port's transmit counters, which every poll thread updates, are not one contended line. Reads sum every row at
/// any time (values are monotonic, reads may be slightly stale).
/// </summary>
public sealed class PortCounters
{
    private const int Counters = 7;
    private const int RxPacketsAt = 0;
    private const int RxBytesAt = 1;
    private const int RxDroppedAt = 2;
    private const int TxPacketsAt = 3;
    private const int TxBytesAt = 4;
    private const int TxDroppedAt = 5;
    private const int TxOffloadDroppedAt = 6;

    private readonly long[] _cells;

    /// <summary>Counters with the shared row and one row per possible poll thread (<see cref="Forwarding.DatapathOptions.MaxPollThreads"/>).</summary>
    public PortCounters()
        : this(Forwarding.DatapathOptions.MaxPollThreads)
    {
    }

    /// <summary>Counters with the shared row and <paramref name="writers"/> single-writer rows.</summary>
    /// <param name="writers">Single-writer rows, 0..1024 (a port written by poll threads wants one per poll thread).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="writers"/> is outside 0..1024.</exception>
    public PortCounters(int writers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writers, 1024);
        Writers = writers;
        _cells = Forwarding.CounterRows.Allocate(writers, Counters);
    }

    /// <summary>Number of single-writer rows (writers 1..Writers); writer 0 is the shared row.</summary>
    public int Writers { get; }

    /// <summary>Frames received (packets).</summary>
    public long RxPackets => Sum(RxPacketsAt);

    /// <summary>Bytes received.</summary>
    public long RxBytes => Sum(RxBytesAt);

    /// <summary>Frames dropped on receive (too large for a slot, socket errors, malformed) (packets).</summary>
    public long RxDropped => Sum(RxDroppedAt);

    /// <summary>Frames transmitted (packets).</summary>
    public long TxPackets => Sum(TxPacketsAt);

    /// <summary>Bytes transmitted.</summary>
    public long TxBytes => Sum(TxBytesAt);

    /// <summary>Frames the port or the kernel refused to transmit (packets).</summary>
    public long TxDropped => Sum(TxDroppedAt);

    /// <summary>
    /// Of <see cref="TxDropped"/>, frames dropped because their offloads (GSO segmentation, partial checksum) could not be
    /// done in software for this port, which has no vnet headers (packets; <see cref="Actions.OutputBatches.OffloadDropped"/>).
    /// </summary>
    public long TxOffloadDropped => Sum(TxOffloadDroppedAt);

    /// <summary>Adds received frames and bytes to the calling poll thread's row, or atomically to the shared row (thread-safe).</summary>
    public void AddRx(long packets, long bytes) => AddRx(Forwarding.CounterRows.CurrentWriter, packets, bytes);

    /// <summary>Adds transmitted frames and bytes to the calling poll thread's row, or atomically to the shared row (thread-safe).</summary>
    public void AddTx(long packets, long bytes) => AddTx(Forwarding.CounterRows.CurrentWriter, packets, bytes);

    /// <summary>Records the outcome of one send call in the calling poll thread's row (or the shared row): frames and bytes the kernel accepted, frames dropped.</summary>
    public void AddTxResult(long sent, long bytes, long dropped) => AddTxResult(Forwarding.CounterRows.CurrentWriter, sent, bytes, dropped);

    /// <summary>Adds frames dropped on receive to the calling poll thread's row, or atomically to the shared row (thread-safe).</summary>
    public void AddRxDropped(long packets) => Add(Forwarding.CounterRows.CurrentWriter, RxDroppedAt, packets);

    /// <summary>Adds frames dropped on transmit to the calling poll thread's row, or atomically to the shared row (thread-safe).</summary>
    public void AddTxDropped(long packets) => Add(Forwarding.CounterRows.CurrentWriter, TxDroppedAt, packets);

    /// <summary>Adds received frames and bytes to <paramref name="writer"/>'s row (only that writer's thread may use it; 0 = shared).</summary>
    public void AddRx(int writer, long packets, long bytes)
    {
        Add(writer, RxPacketsAt, packets);
        Add(writer, RxBytesAt, bytes);
    }

    /// <summary>Adds transmitted frames and bytes to <paramref name="writer"/>'s row (only that writer's thread may use it; 0 = shared).</summary>
    public void AddTx(int writer, long packets, long bytes)
    {
        Add(writer, TxPacketsAt, packets);
        Add(writer, TxBytesAt, bytes);
    }

    /// <summary>Records one send call's outcome in <paramref name="writer"/>'s row: frames and bytes accepted, frames dropped.</summary>
    public void AddTxResult(int writer, long sent, long bytes, long dropped)
    {
        if (sent > 0)
        {
            AddTx(writer, sent, bytes);
        }

        if (dropped > 0)
        {
            Add(writer, TxDroppedAt, dropped);
        }
    }

    /// <summary>Adds frames dropped on receive to <paramref name="writer"/>'s row.</summary>
    public void AddRxDropped(int writer, long packets) => Add(writer, RxDroppedAt, packets);

    /// <summary>Adds frames dropped on transmit to <paramref name="writer"/>'s row.</summary>
    public void AddTxDropped(int writer, long packets) => Add(writer, TxDroppedAt, packets);

    /// <summary>Adds frames dropped on transmit because their offloads could not be done to <paramref name="writer"/>'s row (also counts them in <see cref="TxDropped"/>).</summary>
    public void AddTxOffloadDropped(int writer, long packets)
    {
        Add(writer, TxDroppedAt, packets);
        Add(writer, TxOffloadDroppedAt, packets);
    }

    private void Add(int writer, int cell, long value) => Forwarding.CounterRows.Add(_cells, Writers, Counters, writer, cell, value);

    private long Sum(int cell) => Forwarding.CounterRows.Sum(_cells, Counters, cell);
}
