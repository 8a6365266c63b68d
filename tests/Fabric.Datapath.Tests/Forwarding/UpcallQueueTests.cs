using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Xunit;

namespace Fabric.Datapath.Tests.Forwarding;

/// <summary>The upcall queue: bounded queueing, and the consumer that takes upcalls on the enqueuing thread instead.</summary>
public sealed class UpcallQueueTests
{
    [Fact]
    public void A_full_queue_refuses_the_upcall()
    {
        var q = new UpcallQueue(2);
        Assert.True(q.TryEnqueue(Miss(1), out _));
        Assert.True(q.TryEnqueue(Miss(2), out _));
        Assert.False(q.TryEnqueue(Miss(3), out _));
        Assert.Equal(2, q.Count);
    }

    [Fact]
    public void An_attached_consumer_takes_every_upcall_on_the_enqueuing_thread_and_nothing_is_queued()
    {
        var q = new UpcallQueue(1);
        var taken = new List<(ushort InPort, int Thread)>();
        q.Attach(new Consumer((u, _) =>
        {
            taken.Add((u.InPort, Environment.CurrentManagedThreadId));
            return null;
        }));

        // More than the capacity: a consumer is not bounded by the queue.
        Assert.True(q.TryEnqueue(Miss(1), out _));
        Assert.True(q.TryEnqueue(Miss(2), out _));
        Assert.Equal(0, q.Count);
        Assert.Equal([(1, Environment.CurrentManagedThreadId), (2, Environment.CurrentManagedThreadId)], taken);
    }

    [Fact]
    public void Upcalls_queued_before_the_consumer_stay_queued_and_detaching_queues_again()
    {
        var q = new UpcallQueue(4);
        Assert.True(q.TryEnqueue(Miss(1), out _));
        var taken = new List<ushort>();
        q.Attach(new Consumer((u, _) =>
        {
            taken.Add(u.InPort);
            return null;
        }));
        Assert.True(q.TryEnqueue(Miss(2), out _));
        Assert.Equal([2], taken);
        Assert.True(q.TryDequeue(out var early));
        Assert.Equal(1, early.InPort);

        q.Attach(null);
        Assert.True(q.TryEnqueue(Miss(3), out _));
        Assert.Equal([2], taken);
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void Actions_the_consumer_returns_reach_the_caller()
    {
        var q = new UpcallQueue(4);
        var flood = DatapathActions.Create([DatapathAction.Output(2), DatapathAction.Output(3)]);
        var calls = new List<(ushort InPort, bool OnPollThread)>();
        q.Attach(new Consumer((u, onPollThread) =>
        {
            calls.Add((u.InPort, onPollThread));
            return onPollThread ? flood : null;
        }));

        Assert.True(q.TryEnqueue(Miss(1), out var now));
        Assert.Same(flood, now);
        Assert.Equal([(1, true)], calls);
    }

    private sealed class Consumer(Func<Upcall, bool, DatapathActions?> consume) : IUpcallConsumer
    {
        public DatapathActions? Consume(Upcall upcall, bool onPollThread) => consume(upcall, onPollThread);

        public void AfterSend()
        {
        }
    }

    private static Upcall Miss(ushort inPort) =>
        new(inPort, FlowKey.Create(inPort, 0x0200_0000_0001, 0x0200_0000_0002, 0x0800), new byte[64], 0);
}
