namespace Fabric.Kernel.Persistence;

/// <summary>
/// Recovery waited longer than <see cref="PersistenceSetup.RecoveryEventTimeout"/> for the snapshot or the next replayed event
/// (Akka <c>RecoveryTimedOutException</c>); passed to <c>OnRecoveryFailure</c>, after which the actor stops.
/// </summary>
public sealed class RecoveryTimedOutException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RecoveryTimedOutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What timed out.</param>
    public RecoveryTimedOutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What timed out.</param>
    /// <param name="innerException">The cause.</param>
    public RecoveryTimedOutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
