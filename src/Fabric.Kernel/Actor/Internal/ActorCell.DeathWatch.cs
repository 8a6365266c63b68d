using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <content>Death watch (actor-semantics §3 DeathWatch; Akka.NET <c>ActorCell.DeathWatch</c>).</content>
internal sealed partial class ActorCell
{
    private readonly Dictionary<IActorRef, object?> _watching = [];
    private readonly Dictionary<IActorRef, object?> _terminatedQueued = [];
    private readonly HashSet<IActorRef> _watchedBy = [];

    public IActorRef Watch(IActorRef subject) => WatchCore(subject, null);

    public IActorRef WatchWith(IActorRef subject, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WatchCore(subject, message);
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is InternalActorRef target && !target.Equals(_self) && _watching.Remove(target))
        {
            target.SendSystemMessage(new Unwatch(target, _self));
        }

        _terminatedQueued.Remove(subject);
        return subject;
    }

    private IActorRef WatchCore(IActorRef subject, object? message)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is not InternalActorRef target || target.Equals(_self))
        {
            return subject;
        }

        if (_watching.TryGetValue(target, out var existing))
        {
            if (!Equals(existing, message))
            {
                throw new InvalidOperationException(
                    $"Watch({subject}) called with a different termination message than the existing watch.");
            }

            return subject;
        }

        _watching[target] = message;
        target.SendSystemMessage(new Watch(target, _self));
        return subject;
    }

    private void AddWatcher(InternalActorRef watchee, InternalActorRef watcher)
    {
        if (watchee.Equals(_self) && !watcher.Equals(_self))
        {
            _watchedBy.Add(watcher);
        }
    }

    private void RemoveWatcher(InternalActorRef watchee, InternalActorRef watcher)
    {
        if (watchee.Equals(_self))
        {
            _watchedBy.Remove(watcher);
        }
    }

    private void WatchedActorTerminated(DeathWatchNotification n)
    {
        if (_watching.Remove(n.Actor, out var custom) && !_isTerminating && !_terminated)
        {
            _terminatedQueued[n.Actor] = custom;
            _self.Tell(new Terminated(n.Actor, n.ExistenceConfirmed, n.AddressTerminated), n.Actor);
        }

        if (n.Actor.Path.Parent == SelfPath && FindChild(n.Actor) is not null)
        {
            HandleChildTerminated(n.Actor);
        }
    }

    /// <summary>A queued <see cref="Terminated"/> is delivered only while still watched (Unwatch suppresses it).</summary>
    private void ReceivedTerminated(Terminated t)
    {
        if (!_terminatedQueued.Remove(t.ActorRef, out var custom))
        {
            return;
        }

        ReceiveMessage(custom ?? t);
    }

    private void TellWatchersWeDied()
    {
        foreach (var watcher in _watchedBy)
        {
            if (!watcher.Equals(_parent))
            {
                ((InternalActorRef)watcher).SendSystemMessage(
                    new DeathWatchNotification(_self, ExistenceConfirmed: true, AddressTerminated: false));
            }
        }

        _watchedBy.Clear();
    }

    private void UnwatchWatchedActors()
    {
        foreach (var watchee in _watching.Keys)
        {
            var target = (InternalActorRef)watchee;
            target.SendSystemMessage(new Unwatch(target, _self));
        }

        _watching.Clear();
        _terminatedQueued.Clear();
    }
}
