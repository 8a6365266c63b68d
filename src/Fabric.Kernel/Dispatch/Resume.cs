namespace Fabric.Kernel.Dispatch;

/// <summary>Undo one <see cref="Suspend"/>; with <see cref="CausedByFailure"/> set it also clears the failed state (Resume directive).</summary>
internal sealed record Resume(Exception? CausedByFailure) : ISystemMessage;
