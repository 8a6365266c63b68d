using System.Collections.Frozen;
using Fabric.Actors.Shards;
using Fabric.Datapath.Actions;
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
/// in <see cref="Lost"/>. <see cref="Route(Upcall, bool, out DatapathActions?)"/> is thread-safe: while <see cref="PumpAsync"/> runs, every poll thread
/// calls it for its own misses, so an upcall reaches its shard with no thread hop in between; and while the shard
/// keeps up, the poll thread translates the miss itself (<see cref="PollThreadTranslator"/>) and executes it at once.
/// </remarks>
public sealed class UpcallRouter : IUpcallConsumer
{
    // The inboxes this poll thread posted to in its current loop iteration, woken once its packets are sent (AfterSend).
    [ThreadStatic]
    private static List<ShardInbox>? t_toWake;

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

    /// <summary>Hands <paramref name="upcall"/> to its shard, which translates and executes it; false (and counted) when no bridge owns the port or the shard's inbox is full.</summary>
    public bool Route(Upcall upcall) => Route(upcall, onPollThread: false, out _);

    /// <summary>
    /// Hands <paramref name="upcall"/> to its shard; false (and counted) when no bridge owns the port or the shard's inbox
    /// is full. On the poll thread that missed (<paramref name="onPollThread"/>), while the shard keeps up
    /// (<see cref="ShardInbox.MayExecuteAhead"/>), the miss is
    /// translated here first: <paramref name="executeNow"/> is then its actions, which the caller executes on the packet
    /// (also when the inbox turned out full: the packet goes, its megaflow is not installed), and the shard only learns
    /// and installs.
    /// </summary>
    public bool Route(Upcall upcall, bool onPollThread, out DatapathActions? executeNow)
    {
        ArgumentNullException.ThrowIfNull(upcall);
        executeNow = null;
        if (InboxOf(upcall) is not { } inbox)
        {
            return false;
        }

        var translator = onPollThread && inbox.MayExecuteAhead(FlowTableShardActor.UpcallBatch) ? inbox.Translator : null;
        var translated = translator?.Translate(upcall);
        var item = translated ?? new ShardUpcall(upcall);
        if (translated is { Xlate.Actions: { IsDrop: false } actions })
        {
            executeNow = actions;
        }

        // On a poll thread the shard is woken after the iteration's packets have left: a wake-up (an Akka Tell, which
        // may wake a thread-pool thread) costs tens of microseconds that the first packet need not wait for.
        if (!inbox.TryPost(item, wake: !onPollThread))
        {
            Interlocked.Increment(ref _lost);
            return false;
        }

        if (onPollThread)
        {
            var toWake = t_toWake ??= new List<ShardInbox>();
            if (!toWake.Contains(inbox))
            {
                toWake.Add(inbox);
            }
        }

        if (translated is not null)
        {
            translator!.Posted(translated);
        }

        return true;
    }

    /// <summary>
    /// Routes every upcall of <paramref name="queue"/> until <paramref name="ct"/> is cancelled. First the backlog the
    /// poll threads queued before (the misses of a node whose bridges were still starting), in order, each waiting for
    /// room in its shard's inbox rather than being lost to the burst; then it attaches
    /// <see cref="Route(Upcall, bool, out DatapathActions?)"/> as the queue's consumer, so each poll thread routes its own
    /// misses (a shard is woken straight from the poll thread, no pump thread in between). Cancelling detaches it
    /// again; upcalls queued from then on wait in the queue.
    /// </summary>
    public async Task PumpAsync(UpcallQueue queue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queue);
        try
        {
            // While the backlog drains, new misses queue behind it (they do not overtake it).
            while (queue.TryDequeue(out var queued))
            {
                await RouteWaitingAsync(queued, ct).ConfigureAwait(false);
            }

            queue.Attach(this);

            // What raced in between the last dequeue and the attach.
            while (queue.TryDequeue(out var upcall))
            {
                Route(upcall, onPollThread: false, out _);
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

    /// <summary>Hands <paramref name="upcall"/> to its shard, waiting while the shard's inbox is full; counted as unrouted when no bridge owns its port.</summary>
    private async ValueTask RouteWaitingAsync(Upcall upcall, CancellationToken ct)
    {
        if (InboxOf(upcall) is { } inbox)
        {
            await inbox.PostAsync(new ShardUpcall(upcall), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The inbox of the shard that owns <paramref name="upcall"/>'s slice; null (counted as unrouted) when no bridge owns its port.</summary>
    private ShardInbox? InboxOf(Upcall upcall)
    {
        var routes = Volatile.Read(ref _routes);
        if (!routes.TryGetValue(upcall.InPort, out var inboxes) || inboxes.Length == 0)
        {
            Interlocked.Increment(ref _unrouted);
            return null;
        }

        return inboxes[FlowSlice.ShardOf(FlowSlice.Of(upcall.Key), inboxes.Length)];
    }

    /// <summary>
    /// As attached by <see cref="PumpAsync"/> to the datapath's upcall queue: routes <paramref name="upcall"/> and returns
    /// what the poll thread executes now (null: nothing).
    /// </summary>
    public DatapathActions? Consume(Upcall upcall, bool onPollThread)
    {
        Route(upcall, onPollThread, out var executeNow);
        return executeNow;
    }

    /// <summary>Wakes the shards this poll thread posted upcalls to since its last call (their packets have left).</summary>
    public void AfterSend()
    {
        if (t_toWake is not { Count: > 0 } toWake)
        {
            return;
        }

        foreach (var inbox in toWake)
        {
            inbox.Wake();
        }

        toWake.Clear();
    }
}
