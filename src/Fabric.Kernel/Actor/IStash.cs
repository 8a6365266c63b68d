namespace Fabric.Kernel.Actor;

/// <summary>
/// Defers messages for later (Akka.NET <c>IStash</c>). Only call from inside the owning actor. Unstashed messages are
/// <em>prepended</em> to the mailbox in their original order; on restart the stash is unstashed automatically, on stop
/// its contents go to dead letters (actor-semantics §1, §3).
/// </summary>
public interface IStash
{
    /// <summary>Stashes the message currently being processed (with its sender).</summary>
    /// <exception cref="IllegalActorStateException">The same message was already stashed.</exception>
    void Stash();

    /// <summary>Moves the oldest stashed message to the front of the mailbox; no-op when empty.</summary>
    void Unstash();

    /// <summary>Moves every stashed message to the front of the mailbox, preserving their order.</summary>
    void UnstashAll();

    /// <summary>Moves the stashed messages matching <paramref name="predicate"/> to the front of the mailbox, preserving order; the rest stay stashed.</summary>
    /// <param name="predicate">Selects the messages to unstash.</param>
    void UnstashAll(Func<object, bool> predicate);

    /// <summary>Drops every stashed message and returns them (message, sender) in order.</summary>
    /// <returns>The dropped messages.</returns>
    IReadOnlyList<KeyValuePair<object, IActorRef>> ClearStash();

    /// <summary>Number of stashed messages.</summary>
    int Count { get; }
}
