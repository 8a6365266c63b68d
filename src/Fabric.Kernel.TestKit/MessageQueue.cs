using System.Collections.Concurrent;
using Fabric.Kernel.Actor;

namespace Fabric.Kernel.TestKit;

/// <summary>The queue a test actor fills and the Expect methods drain, waiting in real time.</summary>
internal sealed class MessageQueue
{
    private readonly ConcurrentQueue<(object Message, IActorRef Sender)> _queue = new();
    private readonly SemaphoreSlim _available = new(0);

    public void Enqueue(object message, IActorRef sender)
    {
        _queue.Enqueue((message, sender));
        _available.Release();
    }

    public bool TryTake(TimeSpan timeout, out (object Message, IActorRef Sender) item)
    {
        if (_available.Wait(Clamp(timeout)) && _queue.TryDequeue(out item))
        {
            return true;
        }

        item = default;
        return false;
    }

    public async Task<(bool Ok, (object Message, IActorRef Sender) Item)> TryTakeAsync(TimeSpan timeout)
    {
        if (await _available.WaitAsync(Clamp(timeout)).ConfigureAwait(false) && _queue.TryDequeue(out var item))
        {
            return (true, item);
        }

        return (false, default);
    }

    private static TimeSpan Clamp(TimeSpan timeout) => timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout;
}
