using System.Collections.Concurrent;
using Akka.Actor;
using Fabric.Actors.Shards;

namespace Fabric.Actors.Upcalls;

/// <summary>
/// The bounded queue of upcalls waiting for one flow-table shard. The upcall router writes, the shard reads; the
/// shard's mailbox only ever holds one <see cref="ShardProtocol.UpcallsReady"/> wake-up for it, so upcalls never
/// pile up without limit in a mailbox: when the shard cannot keep up, the inbox fills and the router counts further
/// upcalls as lost (OVS "lost").
/// </summary>
/// <remarks>
/// Outlives the shard's restarts (it belongs to the bridge incarnation that created it). Lock-free, as a poll thread
/// posts its own misses here: a <see cref="ConcurrentQueue{T}"/> bounded by a count that a post reserves
/// (compare-and-swap, never past the capacity) before it enqueues — no lock on the miss path, where a bounded
/// channel's lock made the poll thread and the shard contend.
/// </remarks>
public sealed class ShardInbox
{
    private readonly ConcurrentQueue<ShardUpcall> _queue = new();
    private IActorRef _shard = ActorRefs.Nobody;
    private TaskCompletionSource? _roomWaiter;
    private int _count;
    private int _signalled;
    private int _unexecuted;

    /// <summary>Creates an inbox for <paramref name="capacity"/> upcalls.</summary>
    /// <param name="capacity">Most upcalls waiting.</param>
    /// <param name="translator">Translates this bridge's misses on the poll thread while the inbox is empty; null: the shard translates every one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public ShardInbox(int capacity, PollThreadTranslator? translator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Translator = translator;
    }

    /// <summary>Most upcalls waiting.</summary>
    public int Capacity { get; }

    /// <summary>Upcalls waiting now (with those being posted at this moment).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// True when a poll thread may translate and execute a miss itself: few upcalls wait (fewer than
    /// <paramref name="most"/>) and none of them still has its packet to send, so a packet sent now overtakes none
    /// queued before it.
    /// </summary>
    public bool MayExecuteAhead(int most) => Volatile.Read(ref _unexecuted) == 0 && Volatile.Read(ref _count) < most;

    /// <summary>The bridge's poll-thread translation, or null.</summary>
    public PollThreadTranslator? Translator { get; }

    /// <summary>Names the shard to wake (its ref is stable across its restarts).</summary>
    public void Attach(IActorRef shard) => Volatile.Write(ref _shard, shard);

    /// <summary>
    /// Queues <paramref name="upcall"/> and wakes the shard if it was idle (unless <paramref name="wake"/> is false: the
    /// caller then calls <see cref="Wake"/> soon); false when the inbox is full.
    /// </summary>
    public bool TryPost(ShardUpcall upcall, bool wake = true)
    {
        ArgumentNullException.ThrowIfNull(upcall);
        if (!upcall.Executed)
        {
            Interlocked.Increment(ref _unexecuted);
        }

        if (!TryReserve())
        {
            if (!upcall.Executed)
            {
                Interlocked.Decrement(ref _unexecuted);
            }

            return false;
        }

        _queue.Enqueue(upcall);

        if (wake)
        {
            Wake();
        }

        return true;
    }

    /// <summary>
    /// Queues <paramref name="upcall"/> and wakes the shard, waiting while the inbox is full. For one caller at a time
    /// (the upcall pump's backlog drain): the shard's next take wakes the one waiter.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while waiting.</exception>
    public async ValueTask PostAsync(ShardUpcall upcall, CancellationToken ct)
    {
        while (!TryPost(upcall))
        {
            var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _roomWaiter, room);

            // A take between the failed post and the waiter's publication signalled nobody: try again before waiting.
            if (TryPost(upcall))
            {
                Interlocked.CompareExchange(ref _roomWaiter, null, room);
                return;
            }

            await room.Task.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Shard only: called before draining, so an upcall posted from now on wakes it again.</summary>
    public void Rearm() => Volatile.Write(ref _signalled, 0);

    /// <summary>Shard only: takes the oldest upcall, if any.</summary>
    public bool TryTake(out ShardUpcall upcall)
    {
        if (_queue.TryDequeue(out var u))
        {
            Interlocked.Decrement(ref _count);
            if (!u.Executed)
            {
                Interlocked.Decrement(ref _unexecuted);
            }

            if (Volatile.Read(ref _roomWaiter) is not null)
            {
                Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult();
            }

            upcall = u;
            return true;
        }

        upcall = null!;
        return false;
    }

    // Takes one place in the count, never past Capacity (so Count never reads above it, even for a moment).
    private bool TryReserve()
    {
        var count = Volatile.Read(ref _count);
        while (count < Capacity)
        {
            var seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>Sends the shard one wake-up unless one is already outstanding.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            Volatile.Read(ref _shard).Tell(ShardProtocol.UpcallsReady.Instance, ActorRefs.NoSender);
        }
    }
}
