using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Dispatch;

/// <summary>A child failed (sent to its parent); ignored when <see cref="Uid"/> names an older incarnation.</summary>
internal sealed record Failed(IActorRef Child, Exception Cause, long Uid) : ISystemMessage;
