namespace Fabric.Kernel.Actor;

/// <summary>Reply to <see cref="Identify"/>.</summary>
/// <param name="MessageId">The id from the <see cref="Identify"/> request.</param>
/// <param name="Subject">The live actor, or <see langword="null"/> when the target does not exist.</param>
public sealed record ActorIdentity(object? MessageId, IActorRef? Subject);
