namespace Fabric.Datapath.Ports;

/// <summary>
/// Per-port frame and byte counters. Updated with <see cref="Interlocked"/> by the thread that
/// receives or sends; read at any time (values are monotonic, reads may be slightly stale).
/// </summary>
public sealed class PortCounters
{
    private long _rxPackets;
    private long _rxBytes;
    private long _rxDropped;
    private long _txPackets;
    private long _txBytes;
    private long _txDropped;

    /// <summary>Frames received (packets).</summary>
    public long RxPackets => Volatile.Read(ref _rxPackets);

    /// <summary>Bytes received.</summary>
    public long RxBytes => Volatile.Read(ref _rxBytes);

    /// <summary>Frames dropped on receive (too large for a slot, socket errors) (packets).</summary>
    public long RxDropped => Volatile.Read(ref _rxDropped);

    /// <summary>Frames transmitted (packets).</summary>
    public long TxPackets => Volatile.Read(ref _txPackets);

    /// <summary>Bytes transmitted.</summary>
    public long TxBytes => Volatile.Read(ref _txBytes);

    /// <summary>Frames the kernel refused to transmit (packets).</summary>
    public long TxDropped => Volatile.Read(ref _txDropped);

    /// <summary>Adds received frames and bytes.</summary>
    public void AddRx(long packets, long bytes)
    {
        Interlocked.Add(ref _rxPackets, packets);
        Interlocked.Add(ref _rxBytes, bytes);
    }

    /// <summary>Adds transmitted frames and bytes.</summary>
    public void AddTx(long packets, long bytes)
    {
        Interlocked.Add(ref _txPackets, packets);
        Interlocked.Add(ref _txBytes, bytes);
    }

    /// <summary>Records the outcome of one send call: frames and bytes the kernel accepted, frames dropped.</summary>
    public void AddTxResult(long sent, long bytes, long dropped)
    {
        if (sent > 0)
        {
            AddTx(sent, bytes);
        }

        if (dropped > 0)
        {
            AddTxDropped(dropped);
        }
    }

    /// <summary>Adds frames dropped on receive.</summary>
    public void AddRxDropped(long packets) => Interlocked.Add(ref _rxDropped, packets);

    /// <summary>Adds frames dropped on transmit.</summary>
    public void AddTxDropped(long packets) => Interlocked.Add(ref _txDropped, packets);
}
