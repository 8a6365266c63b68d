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
/// in <see cref="Lost"/>. <see cref="Route"/> has one caller at a time (the pump task, or a test).
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
            Volatile.Write(ref _unrouted, _unrouted + 1);
            return false;
        }

        var inbox = inboxes[FlowSlice.ShardOf(FlowSlice.Of(upcall.Key), inboxes.Length)];
        if (!inbox.TryPost(upcall))
        {
            Volatile.Write(ref _lost, _lost + 1);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Drains <paramref name="queue"/> until <paramref name="ct"/> is cancelled, routing every upcall.
    /// Runs on its own task: the poll threads only enqueue.
    /// </summary>
    public async Task PumpAsync(UpcallQueue queue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queue);
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
