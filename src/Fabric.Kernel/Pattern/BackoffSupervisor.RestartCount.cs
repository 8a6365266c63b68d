namespace Fabric.Kernel.Pattern;

/// <content>The <see cref="RestartCount"/> reply.</content>
public static partial class BackoffSupervisor
{
    /// <summary>Reply to <see cref="GetRestartCount"/>.</summary>
    /// <param name="Count">Backoff restarts since the last reset.</param>
    public sealed record RestartCount(int Count);
}
