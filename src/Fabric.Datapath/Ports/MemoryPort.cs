using System.Collections.Concurrent;
using Fabric.Datapath.Buffers;

namespace Fabric.Datapath.Ports;

/// <summary>
/// An in-memory datapath port for tests and benchmarks (OVS "dummy"): <see cref="Inject"/> queues a frame that
/// <see cref="IDatapathPort.Receive"/> will return; frames passed to <see cref="IDatapathPort.Send"/> are recorded and
/// read back with <see cref="TryTakeSent"/>. Has no file descriptor (<see cref="PollFd"/> = -1), so poll
/// threads poll it by calling Receive.
/// </summary>
/// <remarks>Thread-safe between one or more injectors/readers of sent frames and the poll thread. Inject and Send copy frames (allocate).</remarks>
public sealed class MemoryPort : IDatapathPort
{
    private readonly ConcurrentQueue<byte[]> _rx = new();
    private readonly ConcurrentQueue<byte[]> _tx = new();
    private long _sentCount;
    private volatile bool _carrierUp = true;

    /// <summary>Creates a port called <paramref name="name"/> with Ethernet address <paramref name="macAddress"/>.</summary>
    public MemoryPort(string name, ulong macAddress = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        MacAddress = macAddress;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public PortKind Kind => PortKind.Memory;

    /// <inheritdoc/>
    public int PollFd => -1;

    /// <inheritdoc/>
    public bool CarrierUp => _carrierUp;

    /// <inheritdoc/>
    public ulong MacAddress { get; }

    /// <inheritdoc/>
    public PortCounters Counters { get; } = new();

    /// <summary>Frames injected and not yet received.</summary>
    public int PendingReceive => _rx.Count;

    /// <summary>Frames sent through this port so far (packets), including ones already taken.</summary>
    public long SentCount => Interlocked.Read(ref _sentCount);

    /// <summary>Sets the simulated carrier state (for link-state tests).</summary>
    public void SetCarrier(bool up) => _carrierUp = up;

    /// <summary>Queues a copy of <paramref name="frame"/> to be returned by the next Receive.</summary>
    public void Inject(ReadOnlySpan<byte> frame) => _rx.Enqueue(frame.ToArray());

    /// <summary>Takes the oldest frame sent through this port, if any.</summary>
    public bool TryTakeSent(out byte[] frame)
    {
        if (_tx.TryDequeue(out byte[]? f))
        {
            frame = f;
            return true;
        }

        frame = [];
        return false;
    }

    /// <inheritdoc/>
    public int Receive(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        long bytes = 0;
        while (!batch.IsFull && _rx.TryDequeue(out byte[]? frame))
        {
            if (!batch.TryAppend(frame))
            {
                Counters.AddRxDropped(1);
                continue;
            }

            bytes += frame.Length;
        }

        if (batch.Count > 0)
        {
            Counters.AddRx(batch.Count, bytes);
        }

        return batch.Count;
    }

    /// <inheritdoc/>
    public int Send(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long bytes = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            Span<byte> frame = batch.Frame(i);
            _tx.Enqueue(frame.ToArray());
            bytes += frame.Length;
        }

        Interlocked.Add(ref _sentCount, batch.Count);
        Counters.AddTx(batch.Count, bytes);
        return batch.Count;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _rx.Clear();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (memory)";
}
