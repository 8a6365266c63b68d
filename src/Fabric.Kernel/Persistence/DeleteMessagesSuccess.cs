namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command after <c>DeleteMessages</c> deleted the events up to <paramref name="ToSequenceNr"/>.</summary>
/// <param name="ToSequenceNr">The requested bound (inclusive).</param>
public sealed record DeleteMessagesSuccess(long ToSequenceNr);
