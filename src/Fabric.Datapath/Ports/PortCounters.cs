namespace Fabric.Datapath.Ports;

/// <summary>
/// Per-port frame and byte counters, in rows of one cache line each. Row 0 is shared: the methods without a
/// <c>writer</c> argument (and <c>writer</c> 0) add to it with <see cref="Interlocked"/>, so any thread may use them.
/// Rows 1..<see cref="Writers"/> each belong to one writing thread (a poll thread's <see cref="Buffers.PacketBatch.Writer"/>),
/// which adds to it with plain reads and volatile writes: no atomic instruction and no cache line written by two
/// threads. A writer number above <see cref="Writers"/> falls back to the shared row. Reads sum every row at any time
/// (values are monotonic, reads may be slightly stale).
/// </summary>
public sealed class PortCounters
{
    private const int RowLongs = 8;
    private const int RxPacketsAt = 0;
    private const int RxBytesAt = 1;
    private const int RxDroppedAt = 2;
    private const int TxPacketsAt = 3;
    private const int TxBytesAt = 4;
    private const int TxDroppedAt = 5;
    private const int TxOffloadDroppedAt = 6;

    // (Writers + 1) rows of 8 longs (64 bytes): row 0 shared, the others one writer each.
    private readonly long[] _cells;

    /// <summary>Counters with only the shared row (every writer adds atomically).</summary>
    public PortCounters()
        : this(0)
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
        _cells = new long[(writers + 1) * RowLongs];
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

    /// <summary>Adds received frames and bytes to the shared row (thread-safe).</summary>
    public void AddRx(long packets, long bytes) => AddRx(0, packets, bytes);

    /// <summary>Adds transmitted frames and bytes to the shared row (thread-safe).</summary>
    public void AddTx(long packets, long bytes) => AddTx(0, packets, bytes);

    /// <summary>Records the outcome of one send call in the shared row: frames and bytes the kernel accepted, frames dropped.</summary>
    public void AddTxResult(long sent, long bytes, long dropped) => AddTxResult(0, sent, bytes, dropped);

    /// <summary>Adds frames dropped on receive to the shared row (thread-safe).</summary>
    public void AddRxDropped(long packets) => Add(0, RxDroppedAt, packets);

    /// <summary>Adds frames dropped on transmit to the shared row (thread-safe).</summary>
    public void AddTxDropped(long packets) => Add(0, TxDroppedAt, packets);

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

    private void Add(int writer, int cell, long value)
    {
        if ((uint)writer - 1 < (uint)Writers)
        {
            ref long c = ref _cells[(writer * RowLongs) + cell];
            Volatile.Write(ref c, c + value);
        }
        else
        {
            Interlocked.Add(ref _cells[cell], value);
        }
    }

    private long Sum(int cell)
    {
        long total = 0;
        for (int i = cell; i < _cells.Length; i += RowLongs)
        {
            total += Volatile.Read(ref _cells[i]);
        }

        return total;
    }
}
