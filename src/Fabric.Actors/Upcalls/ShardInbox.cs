using Akka.Actor;
using Fabric.Actors.Shards;
using Fabric.Datapath.Forwarding;

namespace Fabric.Actors.Upcalls;

/// <summary>
/// The bounded queue of upcalls waiting for one flow-table shard. The upcall router writes, the shard reads; the
/// shard's mailbox only ever holds one <see cref="ShardProtocol.UpcallsReady"/> wake-up for it, so upcalls never
/// pile up without limit in a mailbox: when the shard cannot keep up, the inbox fills and the router counts further
/// upcalls as lost (OVS "lost").
/// </summary>
/// <remarks>Outlives the shard's restarts (it belongs to the bridge incarnation that created it).</remarks>
public sealed class ShardInbox
{
    private readonly UpcallQueue _queue;
    private IActorRef _shard = ActorRefs.Nobody;
    private int _signalled;

    /// <summary>Creates an inbox for <paramref name="capacity"/> upcalls.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public ShardInbox(int capacity) => _queue = new UpcallQueue(capacity);

    /// <summary>Most upcalls waiting.</summary>
    public int Capacity => _queue.Capacity;

    /// <summary>Upcalls waiting now.</summary>
    public int Count => _queue.Count;

    /// <summary>Names the shard to wake (its ref is stable across its restarts).</summary>
    public void Attach(IActorRef shard) => Volatile.Write(ref _shard, shard);

    /// <summary>Queues <paramref name="upcall"/> and wakes the shard if it was idle; false when the inbox is full.</summary>
    public bool TryPost(Upcall upcall)
    {
        if (!_queue.TryEnqueue(upcall))
        {
            return false;
        }

        Wake();
        return true;
    }

    /// <summary>Shard only: called before draining, so an upcall posted from now on wakes it again.</summary>
    public void Rearm() => Volatile.Write(ref _signalled, 0);

    /// <summary>Shard only: takes the oldest upcall, if any.</summary>
    public bool TryTake(out Upcall upcall) => _queue.TryDequeue(out upcall);

    /// <summary>Sends the shard one wake-up unless one is already outstanding.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            Volatile.Read(ref _shard).Tell(ShardProtocol.UpcallsReady.Instance, ActorRefs.NoSender);
        }
    }
}
