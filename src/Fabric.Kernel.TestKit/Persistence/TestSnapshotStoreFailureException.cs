namespace Fabric.Kernel.TestKit.Persistence;

/// <summary>An injected snapshot-store failure of the persistence TestKit.</summary>
public sealed class TestSnapshotStoreFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TestSnapshotStoreFailureException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public TestSnapshotStoreFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public TestSnapshotStoreFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
