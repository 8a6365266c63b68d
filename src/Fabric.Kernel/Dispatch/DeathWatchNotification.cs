using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Dispatch;

/// <summary>A watched actor (or a child) terminated; turned into a queued <see cref="Terminated"/> for watchers.</summary>
internal sealed record DeathWatchNotification(IActorRef Actor, bool ExistenceConfirmed, bool AddressTerminated) : ISystemMessage;
