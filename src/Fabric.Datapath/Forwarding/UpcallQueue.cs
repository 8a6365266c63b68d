using System.Threading.Channels;
using Fabric.Datapath.Actions;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// Bounded queue of upcalls from the poll threads (many writers) to the slow path (readers). A full queue
/// refuses the upcall, which the datapath counts as lost (OVS "lost").
/// </summary>
/// <remarks>
/// The slow path may instead attach a consumer (<see cref="Attach"/>): every upcall is then handed to it on the
/// poll thread that missed, with no queue and no thread hop in between (OVS handler threads read the upcall
/// socket directly). The consumer must be thread-safe, must not block, and takes the upcall whatever it then does
/// with it (its own bounded queues count what they drop); it may return actions that the poll thread executes on the
/// missed packet at once (<see cref="IUpcallConsumer"/>).
/// </remarks>
public sealed class UpcallQueue
{
    private readonly Channel<Upcall> _channel;
    private IUpcallConsumer? _consumer;

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

    /// <summary>
    /// Hands <paramref name="upcall"/> to the attached consumer, or queues it; false when the queue is full (the
    /// caller counts it as lost). Called by the poll thread that missed.
    /// </summary>
    /// <param name="upcall">The miss.</param>
    /// <param name="executeNow">Actions the consumer translated for the packet, which the caller executes at once; null
    /// when the slow path executes it (always when the upcall was queued).</param>
    public bool TryEnqueue(Upcall upcall, out DatapathActions? executeNow)
    {
        if (Volatile.Read(ref _consumer) is { } consumer)
        {
            executeNow = consumer.Consume(upcall, onPollThread: true);
            return true;
        }

        executeNow = null;

        if (!_channel.Writer.TryWrite(upcall))
        {
            return false;
        }

        if (Volatile.Read(ref _consumer) is { } late)
        {
            // The consumer was attached while this upcall was being queued: hand it over, so none waits forever.
            while (_channel.Reader.TryRead(out Upcall? u))
            {
                late.Consume(u, onPollThread: false);
            }
        }

        return true;
    }

    /// <summary>
    /// Sends every later upcall straight to <paramref name="consumer"/> on the thread that enqueues it (null: queue
    /// them again). Upcalls already queued stay queued: the caller drains them after attaching.
    /// </summary>
    public void Attach(IUpcallConsumer? consumer) => Interlocked.Exchange(ref _consumer, consumer);

    /// <summary>Poll threads: an iteration's packets are sent; lets the attached consumer do what it put off (<see cref="IUpcallConsumer.AfterSend"/>).</summary>
    internal void AfterSend() => Volatile.Read(ref _consumer)?.AfterSend();

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
