using Fabric.Actors.Upcalls;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;

namespace Fabric.Actors.Tests.Upcalls;

/// <summary>
/// The upcall router's pump: misses the poll threads queued while the bridges were starting (a restarted node forwards
/// on its restored megaflows before its bridges exist) reach their shard in order, waiting for room rather than lost.
/// </summary>
public sealed class UpcallRouterTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;

    [Fact]
    public async Task A_backlog_larger_than_the_shard_inbox_reaches_the_shard_in_order_and_none_is_lost()
    {
        var queue = new UpcallQueue(4096);
        for (var i = 0; i < 500; i++)
        {
            Assert.True(queue.TryEnqueue(new Upcall(1, FlowKey.Create(1, H1, H2, 0x0800), new byte[64], receivedMs: i), out _));
        }

        var router = new UpcallRouter();
        var inbox = new ShardInbox(capacity: 16);
        router.Publish([1], [inbox]);
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(() => router.PumpAsync(queue, stop.Token));

        // The test is the shard: it takes what the pump posts, in the order the poll threads queued it.
        var taken = new List<long>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (taken.Count < 500 && DateTime.UtcNow < deadline)
        {
            if (inbox.TryTake(out var u))
            {
                taken.Add(u.Upcall.ReceivedMs);
            }
            else
            {
                await Task.Yield();
            }
        }

        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), taken);
        Assert.Equal(0, router.Lost);
        Assert.Equal(0, router.Unrouted);

        await stop.CancelAsync();
        await pump;
    }

    [Fact]
    public async Task A_queued_miss_on_a_port_no_bridge_owns_is_counted_as_unrouted()
    {
        var queue = new UpcallQueue(16);
        Assert.True(queue.TryEnqueue(new Upcall(9, FlowKey.Create(9, H1, H2, 0x0800), new byte[64], receivedMs: 0), out _));
        var router = new UpcallRouter();
        router.Publish([1], [new ShardInbox(capacity: 16)]);
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(() => router.PumpAsync(queue, stop.Token));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (router.Unrouted == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
        }

        Assert.Equal(1, router.Unrouted);
        Assert.Equal(0, router.Lost);
        await stop.CancelAsync();
        await pump;
    }
}
