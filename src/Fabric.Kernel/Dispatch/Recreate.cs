namespace Fabric.Kernel.Dispatch;

/// <summary>Supervisor chose Restart: run the restart sequence (actor-semantics §3).</summary>
internal sealed record Recreate(Exception Cause) : ISystemMessage;
