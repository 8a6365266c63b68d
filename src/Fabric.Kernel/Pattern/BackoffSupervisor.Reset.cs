namespace Fabric.Kernel.Pattern;

/// <content>The <see cref="Reset"/> command.</content>
public static partial class BackoffSupervisor
{
    /// <summary>Resets the restart count (and so the next delay to the minimum); honoured only with <see cref="BackoffOptions.WithManualReset"/>.</summary>
    public sealed class Reset
    {
        private Reset()
        {
        }

        /// <summary>The single instance.</summary>
        public static Reset Instance { get; } = new();
    }
}
