using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Dispatch;

/// <summary><paramref name="Watcher"/> starts watching <paramref name="Watchee"/> (sent to the watchee).</summary>
internal sealed record Watch(InternalActorRef Watchee, InternalActorRef Watcher) : ISystemMessage;
