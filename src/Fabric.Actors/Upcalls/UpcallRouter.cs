using System.Collections.Frozen;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Kernel.Actor;

namespace Fabric.Actors.Upcalls;

/// <summary>
/// Routes each upcall to the flow-table shard that owns its slice of the flow-hash space: the bridge
/// is found by the upcall's in_port, the shard by a hash of (in_port, dl_src, dl_dst) — fields every
/// NORMAL megaflow matches exactly, so all upcalls of one megaflow reach the same shard.
/// </summary>
/// <remarks>Bridges publish their shard references here when they start; readers see an immutable snapshot.</remarks>
public sealed class UpcallRouter
{
    private FrozenDictionary<ushort, IActorRef[]> _routes = FrozenDictionary<ushort, IActorRef[]>.Empty;
    private readonly object _writeGate = new();
    private long _unrouted;

    /// <summary>Upcalls whose in_port belongs to no bridge (dropped).</summary>
    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>Publishes the shards that handle upcalls arriving on <paramref name="dpPorts"/>.</summary>
    public void Publish(IEnumerable<ushort> dpPorts, IActorRef[] shards)
    {
        lock (_writeGate)
        {
            var next = new Dictionary<ushort, IActorRef[]>(_routes);
            foreach (var p in dpPorts)
            {
                next[p] = shards;
            }

            Volatile.Write(ref _routes, next.ToFrozenDictionary());
        }
    }

    /// <summary>Shard index for a flow among <paramref name="shardCount"/> shards.</summary>
    public static int ShardOf(in FlowKey key, int shardCount)
    {
        var h = HashCode.Combine(key.InPort, key.DlSrc, key.DlDst);
        return (int)((uint)h % (uint)shardCount);
    }

    /// <summary>Sends <paramref name="upcall"/> to its shard; returns false (and counts it) when no bridge owns the port.</summary>
    public bool Route(Upcall upcall)
    {
        var routes = Volatile.Read(ref _routes);
        if (!routes.TryGetValue(upcall.InPort, out var shards) || shards.Length == 0)
        {
            Interlocked.Increment(ref _unrouted);
            return false;
        }

        shards[ShardOf(upcall.Key, shards.Length)].Tell(upcall, ActorRefs.NoSender);
        return true;
    }

    /// <summary>
    /// Drains <paramref name="queue"/> until <paramref name="ct"/> is cancelled, routing every upcall.
    /// Runs on its own task: the poll threads only enqueue.
    /// </summary>
    public async Task PumpAsync(UpcallQueue queue, CancellationToken ct)
    {
        try
        {
            while (await queue.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (queue.TryDequeue(out var upcall))
                {
                    Route(upcall);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
