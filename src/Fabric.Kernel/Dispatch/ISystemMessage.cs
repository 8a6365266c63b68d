namespace Fabric.Kernel.Dispatch;

/// <summary>
/// Marker for kernel-internal messages (create, suspend/resume, recreate, terminate, watch/unwatch, failed, death-watch
/// notification) that travel in the mailbox's system queue, drained before and after every user message (actor-semantics §2.1).
/// </summary>
internal interface ISystemMessage
{
}
