using System.Collections.Frozen;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Megaflows;

namespace Fabric.Actors.Upcalls;

/// <summary>
/// Routes each upcall to the flow-table shard that owns its slice of the flow-hash space: the bridge is found by
/// the upcall's in_port, the shard by <see cref="FlowSlice"/> (a fixed hash of in_port, dl_src and dl_dst, the
/// same in every process), so all upcalls of one megaflow reach the shard that also revalidates it.
/// </summary>
/// <remarks>
/// Bridges publish their shards' inboxes here when they start; readers see an immutable snapshot. Upcalls are
/// handed over through each shard's bounded <see cref="ShardInbox"/>; a full inbox drops the upcall and counts it
/// in <see cref="Lost"/>. <see cref="Route"/> is thread-safe: while <see cref="PumpAsync"/> runs, every poll thread
/// calls it for its own misses, so an upcall reaches its shard with no thread hop in between.
/// </remarks>
public sealed class UpcallRouter
{
    private readonly object _writeGate = new();
    private FrozenDictionary<ushort, ShardInbox[]> _routes = FrozenDictionary<ushort, ShardInbox[]>.Empty;
    private long _unrouted;
    private long _lost;

    /// <summary>Upcalls whose in_port belongs to no bridge (dropped).</summary>
    public long Unrouted => Volatile.Read(ref _unrouted);

    /// <summary>Upcalls dropped because their shard's inbox was full (the slow path could not keep up).</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>Publishes the shard inboxes that take the upcalls arriving on <paramref name="dpPorts"/> (index = shard number).</summary>
    public void Publish(IEnumerable<ushort> dpPorts, ShardInbox[] inboxes)
    {
        ArgumentNullException.ThrowIfNull(dpPorts);
        ArgumentNullException.ThrowIfNull(inboxes);
        lock (_writeGate)
        {
            var next = new Dictionary<ushort, ShardInbox[]>(_routes);
            foreach (var p in dpPorts)
            {
                next[p] = inboxes;
            }

            Volatile.Write(ref _routes, next.ToFrozenDictionary());
        }
    }

    /// <summary>Hands <paramref name="upcall"/> to its shard; false (and counted) when no bridge owns the port or the shard's inbox is full.</summary>
    public bool Route(Upcall upcall)
    {
        ArgumentNullException.ThrowIfNull(upcall);
        var routes = Volatile.Read(ref _routes);
        if (!routes.TryGetValue(upcall.InPort, out var inboxes) || inboxes.Length == 0)
        {
            Interlocked.Increment(ref _unrouted);
            return false;
        }

        var inbox = inboxes[FlowSlice.ShardOf(FlowSlice.Of(upcall.Key), inboxes.Length)];
        if (!inbox.TryPost(upcall))
        {
            Interlocked.Increment(ref _lost);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Routes every upcall of <paramref name="queue"/> until <paramref name="ct"/> is cancelled: attaches
    /// <see cref="Route"/> as the queue's consumer, so each poll thread routes its own misses (a shard is woken
    /// straight from the poll thread, no pump thread in between), and routes what was queued before. Cancelling
    /// detaches it again; upcalls queued from then on wait in the queue.
    /// </summary>
    public async Task PumpAsync(UpcallQueue queue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queue);
        queue.Attach(RouteOne);
        try
        {
            // What the poll threads queued before the consumer was attached.
            while (queue.TryDequeue(out var upcall))
            {
                Route(upcall);
            }

            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            queue.Attach(null);
        }
    }

    private void RouteOne(Upcall upcall) => Route(upcall);
}
