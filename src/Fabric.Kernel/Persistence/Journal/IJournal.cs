namespace Fabric.Kernel.Persistence.Journal;

/// <summary>
/// A journal plugin (Akka.Persistence <c>AsyncWriteJournal</c>): stores and replays serialized events.
/// Implementations: in-memory (tests), SQLite and PostgreSQL (<c>Fabric.Persistence.Sql</c>).
/// </summary>
/// <remarks>
/// Failure semantics (actor-semantics §6): a thrown exception from <see cref="WriteMessagesAsync"/> means the
/// store failed (the events may or may not be stored) and the writing actor is stopped; a per-write rejection
/// (returned, not thrown) means nothing of that write was stored and the actor continues.
/// </remarks>
public interface IJournal : IAsyncDisposable
{
    /// <summary>
    /// Stores <paramref name="writes"/> (possibly of many persistence ids) — one transaction per call where the
    /// store allows, which is what makes group commit cheap. Returns one entry per write: null when stored, or
    /// the reason it was rejected (e.g. a duplicate sequence number).
    /// </summary>
    /// <exception cref="Exception">The store is unavailable or the transaction failed: nothing can be assumed stored.</exception>
    Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default);

    /// <summary>
    /// Calls <paramref name="recoveryCallback"/> for each stored, non-deleted event of <paramref name="persistenceId"/>
    /// with <paramref name="fromSequenceNr"/> ≤ sequence number ≤ <paramref name="toSequenceNr"/>, in order, at most
    /// <paramref name="max"/> of them.
    /// </summary>
    Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<PersistentRepr> recoveryCallback, CancellationToken ct = default);

    /// <summary>
    /// The highest sequence number ever stored for <paramref name="persistenceId"/> (0 when none) — it survives
    /// <see cref="DeleteMessagesToAsync"/> ("highest seqNr survives deletion").
    /// </summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken ct = default);

    /// <summary>Deletes (or marks deleted) every event of <paramref name="persistenceId"/> up to <paramref name="toSequenceNr"/>.</summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default);
}
