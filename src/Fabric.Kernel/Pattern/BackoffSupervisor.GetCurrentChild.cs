namespace Fabric.Kernel.Pattern;

/// <content>The <see cref="GetCurrentChild"/> request.</content>
public static partial class BackoffSupervisor
{
    /// <summary>Asks the supervisor for its child; the answer is a <see cref="CurrentChild"/>.</summary>
    public sealed class GetCurrentChild
    {
        private GetCurrentChild()
        {
        }

        /// <summary>The single instance.</summary>
        public static GetCurrentChild Instance { get; } = new();
    }
}
