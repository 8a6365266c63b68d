namespace Fabric.Kernel.Persistence;

/// <summary>
/// Arrives as a command when <c>DeleteMessages</c> failed: a store error, or a bound above <c>LastSequenceNr</c> (other than
/// <see cref="long.MaxValue"/>).
/// </summary>
/// <param name="Cause">Why.</param>
/// <param name="ToSequenceNr">The requested bound.</param>
public sealed record DeleteMessagesFailure(Exception Cause, long ToSequenceNr);
