using System.Threading.Channels;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// Bounded queue of upcalls from the poll threads (many writers) to the slow path (readers). A full queue
/// refuses the upcall, which the datapath counts as lost (OVS "lost").
/// </summary>
public sealed class UpcallQueue
{
    private readonly Channel<Upcall> _channel;

    /// <summary>Creates a queue of <paramref name="capacity"/> upcalls.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public UpcallQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _channel = Channel.CreateBounded<Upcall>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <summary>Maximum number of waiting upcalls.</summary>
    public int Capacity { get; }

    /// <summary>Upcalls waiting now.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>Queues <paramref name="upcall"/>; false when the queue is full (the caller counts it as lost).</summary>
    public bool TryEnqueue(Upcall upcall) => _channel.Writer.TryWrite(upcall);

    /// <summary>Takes the oldest upcall, if any.</summary>
    public bool TryDequeue(out Upcall upcall)
    {
        if (_channel.Reader.TryRead(out Upcall? u))
        {
            upcall = u;
            return true;
        }

        upcall = null!;
        return false;
    }

    /// <summary>Completes when an upcall is waiting (true) or the queue is completed (false).</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken ct = default) => _channel.Reader.WaitToReadAsync(ct);

    /// <summary>Marks the queue complete: waiting readers wake and see false once it is empty.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
