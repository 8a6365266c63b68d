namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>An injected journal rejection (returned per atomic write) of the persistence TestKit.</summary>
public sealed class TestJournalRejectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TestJournalRejectException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public TestJournalRejectException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public TestJournalRejectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
