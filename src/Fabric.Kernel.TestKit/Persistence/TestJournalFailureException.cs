namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>An injected journal failure (a thrown store error) of the persistence TestKit.</summary>
public sealed class TestJournalFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TestJournalFailureException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public TestJournalFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public TestJournalFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
