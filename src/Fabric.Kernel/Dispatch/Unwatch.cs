using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Dispatch;

/// <summary><paramref name="Watcher"/> stops watching <paramref name="Watchee"/> (sent to the watchee).</summary>
internal sealed record Unwatch(InternalActorRef Watchee, InternalActorRef Watcher) : ISystemMessage;
