using Fabric.Kernel.Actor;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Event;

/// <summary>
/// The system's publish/subscribe bus (Akka.NET <c>EventStream</c>): an event reaches every subscriber whose channel type
/// it is an instance of (once per subscriber). Dead letters, unhandled messages and log events are published here.
/// Thread-safe; terminated subscribers are dropped automatically.
/// </summary>
public sealed class EventStream
{
    private readonly object _lock = new();
    private (IActorRef Subscriber, Type Channel)[] _subscriptions = [];

    /// <summary>Subscribes <paramref name="subscriber"/> to events assignable to <paramref name="channel"/>.</summary>
    /// <param name="subscriber">The receiving actor.</param>
    /// <param name="channel">The event type (base types and interfaces match subtypes).</param>
    /// <returns><see langword="false"/> when it was already subscribed to that channel.</returns>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_lock)
        {
            foreach (var (s, c) in _subscriptions)
            {
                if (s.Equals(subscriber) && c == channel)
                {
                    return false;
                }
            }

            _subscriptions = [.. _subscriptions, (subscriber, channel)];
            return true;
        }
    }

    /// <summary>Removes the subscription of <paramref name="subscriber"/> to exactly <paramref name="channel"/>.</summary>
    /// <param name="subscriber">The subscriber.</param>
    /// <param name="channel">The channel it subscribed to.</param>
    /// <returns><see langword="true"/> when a subscription was removed.</returns>
    public bool Unsubscribe(IActorRef subscriber, Type channel) =>
        Remove(s => s.Subscriber.Equals(subscriber) && s.Channel == channel);

    /// <summary>Removes every subscription of <paramref name="subscriber"/>.</summary>
    /// <param name="subscriber">The subscriber.</param>
    /// <returns><see langword="true"/> when any subscription was removed.</returns>
    public bool Unsubscribe(IActorRef subscriber) => Remove(s => s.Subscriber.Equals(subscriber));

    /// <summary>Sends <paramref name="event"/> (with no sender) to every matching subscriber.</summary>
    /// <param name="event">The event.</param>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var subscriptions = Volatile.Read(ref _subscriptions);
        List<IActorRef>? delivered = null;
        var anyDead = false;
        foreach (var (subscriber, channel) in subscriptions)
        {
            if (!channel.IsInstanceOfType(@event))
            {
                continue;
            }

            if (subscriber is InternalActorRef { IsTerminated: true })
            {
                anyDead = true;
                continue;
            }

            delivered ??= [];
            if (delivered.Contains(subscriber))
            {
                continue;
            }

            delivered.Add(subscriber);
            subscriber.Tell(@event, null);
        }

        if (anyDead)
        {
            Remove(s => s.Subscriber is InternalActorRef { IsTerminated: true });
        }
    }

    private bool Remove(Func<(IActorRef Subscriber, Type Channel), bool> match)
    {
        lock (_lock)
        {
            var kept = _subscriptions.Where(s => !match(s)).ToArray();
            var removed = kept.Length != _subscriptions.Length;
            _subscriptions = kept;
            return removed;
        }
    }
}
