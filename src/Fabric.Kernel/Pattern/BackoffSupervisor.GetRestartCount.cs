namespace Fabric.Kernel.Pattern;

/// <content>The <see cref="GetRestartCount"/> request.</content>
public static partial class BackoffSupervisor
{
    /// <summary>Asks the supervisor how many backoff restarts happened since the last reset; the answer is a <see cref="RestartCount"/>.</summary>
    public sealed class GetRestartCount
    {
        private GetRestartCount()
        {
        }

        /// <summary>The single instance.</summary>
        public static GetRestartCount Instance { get; } = new();
    }
}
