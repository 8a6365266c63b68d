namespace Fabric.Kernel.Actor;

/// <summary>
/// Death-watch notification: a watched actor stopped (actor-semantics §3). Exactly one per <c>Watch</c>; unhandled, it makes
/// the watcher fail with <see cref="DeathPactException"/>.
/// </summary>
/// <param name="ActorRef">The actor that stopped.</param>
/// <param name="ExistenceConfirmed"><see langword="false"/> when the actor was already dead (or never existed) at watch time.</param>
/// <param name="AddressTerminated"><see langword="true"/> when caused by a lost remote node (always <see langword="false"/> locally).</param>
public sealed record Terminated(IActorRef ActorRef, bool ExistenceConfirmed, bool AddressTerminated) : IAutoReceivedMessage;
