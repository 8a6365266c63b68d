namespace Fabric.Persistence.Sql;

/// <summary>
/// A SQL journal or snapshot store failed (the database cannot be opened or reached, or a statement failed). The message is
/// one line naming the store and the cause, e.g. <c>sqlite journal /var/lib/fabric/fabric.db: unable to open database file</c>;
/// the driver's exception is the <see cref="Exception.InnerException"/>. Thrown from a journal write this is a store failure in
/// the sense of actor-semantics §6 (the writing actor stops), not a rejection.
/// </summary>
public sealed class SqlStoreException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SqlStoreException()
        : base("sql store failure")
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    /// <param name="message">One line: store, target and cause.</param>
    public SqlStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> wrapping the driver's exception.</summary>
    /// <param name="message">One line: store, target and cause.</param>
    /// <param name="innerException">The driver's exception.</param>
    public SqlStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
