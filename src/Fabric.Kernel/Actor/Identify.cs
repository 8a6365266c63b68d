namespace Fabric.Kernel.Actor;

/// <summary>
/// Asks any actor for its reference: the kernel answers with <see cref="ActorIdentity"/> carrying the same id
/// (<c>Subject</c> is <see langword="null"/> when sent to a dead or absent actor).
/// </summary>
/// <param name="MessageId">Correlation id copied into the reply.</param>
public sealed record Identify(object? MessageId) : IAutoReceivedMessage;
