using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>The <see cref="IStash"/> given to <see cref="IWithUnboundedStash"/> actors; unstashing prepends to the mailbox.</summary>
internal sealed class UnboundedStash(ActorCell cell) : IStash
{
    private readonly List<Envelope> _stash = [];
    private long _lastStashedSequence = -1;

    public int Count => _stash.Count;

    public void Stash()
    {
        var (envelope, sequence) = cell.CurrentMessage;
        if (envelope.Message is null)
        {
            throw new IllegalActorStateException("Stash() can only be called while processing a message.");
        }

        if (sequence == _lastStashedSequence)
        {
            throw new IllegalActorStateException($"Can't stash the same message {envelope.Message} more than once.");
        }

        _lastStashedSequence = sequence;
        _stash.Add(envelope);
    }

    public void Unstash()
    {
        if (_stash.Count == 0)
        {
            return;
        }

        var first = _stash[0];
        _stash.RemoveAt(0);
        cell.Mailbox.Prepend([first]);
    }

    public void UnstashAll() => UnstashAll(static _ => true);

    public void UnstashAll(Func<object, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var selected = new List<Envelope>();
        var kept = new List<Envelope>();
        foreach (var envelope in _stash)
        {
            (predicate(envelope.Message) ? selected : kept).Add(envelope);
        }

        _stash.Clear();
        _stash.AddRange(kept);
        cell.Mailbox.Prepend(selected);
    }

    public IReadOnlyList<KeyValuePair<object, IActorRef>> ClearStash()
    {
        var result = _stash.Select(e => new KeyValuePair<object, IActorRef>(e.Message, e.Sender)).ToList();
        _stash.Clear();
        return result;
    }
}
