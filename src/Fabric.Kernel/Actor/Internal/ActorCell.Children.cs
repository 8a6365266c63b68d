using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <content>Children: creation with name validation and reservation, stopping, lookup (thread-safe, under a lock).</content>
internal sealed partial class ActorCell
{
    private const string Base64Chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+~";
    private readonly object _childrenLock = new();
    private readonly Dictionary<string, ChildRestartStats> _children = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> _toDie = [];
    private long _nextNameId;
    private bool _isTerminating;

    public IActorRef ActorOf(Props props, string? name = null) => AttachChild(props, name);

    /// <summary>Creates and starts a child; callable from any thread (guardians are used from outside).</summary>
    public LocalActorRef AttachChild(Props props, string? name)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is null)
        {
            name = "$" + Base64(Interlocked.Increment(ref _nextNameId));
        }
        else if (name.Length == 0 || name[0] == '$' || !ActorPath.IsValidPathElement(name))
        {
            throw new InvalidActorNameException(
                $"Illegal actor name [{name}]: must be non-empty, not start with '$', and contain only ASCII letters, digits and \"-_.*$+:@&=,!~';()\" or %XX escapes.");
        }

        ActorCell child;
        lock (_childrenLock)
        {
            if (_isTerminating || _terminated)
            {
                throw new InvalidOperationException($"Cannot create child [{name}]: {SelfPath} is stopping.");
            }

            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name [{name}] is not unique!");
            }

            var path = (SelfPath / name).WithUid(NewUid());
            child = new ActorCell(_system, props, path, _self, _system.Dispatcher);
            _children[name] = new ChildRestartStats(child.SelfRef, _system.TimeProvider);
        }

        child.Start();
        return child.SelfRef;
    }

    public void Stop(IActorRef actor)
    {
        if (actor is not InternalActorRef target)
        {
            return;
        }

        if (!target.Equals(_self))
        {
            lock (_childrenLock)
            {
                if (_children.TryGetValue(target.Path.Name, out var stats) && stats.Child.Equals(target))
                {
                    _toDie.Add(target);
                }
            }
        }

        target.SendSystemMessage(Dispatch.Terminate.Instance);
    }

    public IEnumerable<IActorRef> GetChildren()
    {
        lock (_childrenLock)
        {
            return _children.Values.Select(s => s.Child).ToArray();
        }
    }

    public IActorRef Child(string name) => GetChildByName(name) ?? ActorRefs.Nobody;

    public IActorRef? GetChildByName(string name)
    {
        lock (_childrenLock)
        {
            return _children.TryGetValue(name, out var stats) ? stats.Child : null;
        }
    }

    private static long NewUid() => Random.Shared.NextInt64(1, long.MaxValue);

    private static string Base64(long n)
    {
        var chars = new List<char>();
        do
        {
            chars.Add(Base64Chars[(int)(n & 63)]);
            n >>= 6;
        }
        while (n != 0);
        return new string([.. chars]);
    }

    private ChildRestartStats[] ChildStatsSnapshot()
    {
        lock (_childrenLock)
        {
            return [.. _children.Values];
        }
    }

    private ChildRestartStats? FindChild(IActorRef child)
    {
        lock (_childrenLock)
        {
            return _children.TryGetValue(child.Path.Name, out var stats) && stats.Child.Equals(child) && child.Path.Parent == SelfPath
                ? stats
                : null;
        }
    }

    private bool HasChildrenToDie()
    {
        lock (_childrenLock)
        {
            return _toDie.Count > 0;
        }
    }

    /// <summary>The child has terminated: free its name; finish a pending restart or stop once all dying children are gone.</summary>
    private void HandleChildTerminated(IActorRef child)
    {
        bool allGone;
        lock (_childrenLock)
        {
            if (_children.TryGetValue(child.Path.Name, out var stats) && stats.Child.Equals(child))
            {
                _children.Remove(child.Path.Name);
            }

            _toDie.Remove(child);
            allGone = _toDie.Count == 0;
        }

        if (!allGone)
        {
            return;
        }

        switch (_pending)
        {
            case PendingState.Recreation:
                var cause = _recreateCause!;
                _pending = PendingState.None;
                FinishRecreate(cause);
                break;
            case PendingState.Termination:
                _pending = PendingState.None;
                FinishTerminate();
                break;
        }
    }
}
