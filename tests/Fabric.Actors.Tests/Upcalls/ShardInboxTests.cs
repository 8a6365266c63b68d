using Fabric.Actors.Upcalls;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;

namespace Fabric.Actors.Tests.Upcalls;

/// <summary>
/// The shard inbox without a lock: it never holds more than its capacity, even with several poll threads posting at
/// once; a post to a full inbox is refused (the router counts it lost); the pump's waiting post resumes when the shard
/// takes one.
/// </summary>
public sealed class ShardInboxTests
{
    private static ShardUpcall Miss(long i) =>
        new(new Upcall(1, FlowKey.Create(1, 0x0200_0000_0001, 0x0200_0000_0002, 0x0800), new byte[64], receivedMs: i));

    [Fact]
    public void A_full_inbox_refuses_a_post_and_takes_in_the_order_posted()
    {
        var inbox = new ShardInbox(capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(inbox.TryPost(Miss(i), wake: false));
        }

        Assert.False(inbox.TryPost(Miss(3), wake: false));
        Assert.Equal(3, inbox.Count);
        Assert.False(inbox.MayExecuteAhead(most: 8));

        for (var i = 0; i < 3; i++)
        {
            Assert.True(inbox.TryTake(out var u));
            Assert.Equal(i, u.Upcall.ReceivedMs);
        }

        Assert.False(inbox.TryTake(out _));
        Assert.Equal(0, inbox.Count);
        Assert.True(inbox.MayExecuteAhead(most: 8));
    }

    [Fact]
    public async Task Posters_on_several_threads_never_fill_it_past_its_capacity_and_every_accepted_post_is_taken()
    {
        const int capacity = 64;
        const int perThread = 20_000;
        var inbox = new ShardInbox(capacity);
        var accepted = new int[2];
        using var start = new Barrier(3);
        var posters = new Task[2];
        for (var t = 0; t < 2; t++)
        {
            var thread = t;
            posters[t] = Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    for (var i = 0; i < perThread; i++)
                    {
                        if (inbox.TryPost(Miss(i), wake: false))
                        {
                            accepted[thread]++;
                        }
                    }
                },
                TaskCreationOptions.LongRunning);
        }

        start.SignalAndWait();
        var taken = 0;
        var mostSeen = 0;
        while (!Task.WhenAll(posters).IsCompleted || inbox.Count > 0)
        {
            mostSeen = Math.Max(mostSeen, inbox.Count);
            if (inbox.TryTake(out _))
            {
                taken++;
            }
        }

        await Task.WhenAll(posters);
        Assert.True(mostSeen <= capacity, $"the inbox held {mostSeen} upcalls, more than its {capacity}");
        Assert.Equal(accepted[0] + accepted[1], taken);
        Assert.False(inbox.TryTake(out _));
    }

    [Fact]
    public async Task A_waiting_post_completes_when_the_shard_takes_one()
    {
        var inbox = new ShardInbox(capacity: 1);
        Assert.True(inbox.TryPost(Miss(0), wake: false));

        var waiting = inbox.PostAsync(Miss(1), CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        Assert.True(inbox.TryTake(out var first));
        Assert.Equal(0, first.Upcall.ReceivedMs);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(inbox.TryTake(out var second));
        Assert.Equal(1, second.Upcall.ReceivedMs);
    }

    [Fact]
    public async Task A_waiting_post_is_cancelled_with_its_token()
    {
        var inbox = new ShardInbox(capacity: 1);
        Assert.True(inbox.TryPost(Miss(0), wake: false));
        using var cts = new CancellationTokenSource();

        var waiting = inbox.PostAsync(Miss(1), cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, inbox.Count);
    }
}
