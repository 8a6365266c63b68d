namespace Fabric.Persistence.Sql;

/// <summary>
/// The reason an <see cref="Fabric.Kernel.Persistence.Journal.AtomicWrite"/> was rejected (returned in its slot of
/// <c>WriteMessagesAsync</c>'s result, never thrown): nothing of that write was stored, the rest of the batch was
/// (actor-semantics §6 "rejected"). Causes: a (persistence_id, sequence_number) that is already stored, or a write mixing
/// persistence ids.
/// </summary>
public sealed class JournalWriteRejectedException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public JournalWriteRejectedException()
        : base("journal write rejected")
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    /// <param name="message">Why the write was rejected.</param>
    public JournalWriteRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> wrapping a cause.</summary>
    /// <param name="message">Why the write was rejected.</param>
    /// <param name="innerException">The underlying cause.</param>
    public JournalWriteRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The rejection for a duplicate (persistence_id, sequence_number).</summary>
    /// <param name="persistenceId">The write's persistence id.</param>
    /// <param name="sequenceNr">The write's first sequence number.</param>
    /// <returns>The exception to put into the write's result slot.</returns>
    internal static JournalWriteRejectedException Duplicate(string persistenceId, long sequenceNr) =>
        new($"persistence id '{persistenceId}': a write starting at sequence number {sequenceNr} collides with an event already stored (duplicate sequence number)");

    /// <summary>The rejection for a write whose events do not all share one persistence id.</summary>
    /// <param name="persistenceId">The first event's persistence id.</param>
    /// <returns>The exception to put into the write's result slot.</returns>
    internal static JournalWriteRejectedException MixedIds(string persistenceId) =>
        new($"persistence id '{persistenceId}': an atomic write must hold events of one persistence id only");
}
