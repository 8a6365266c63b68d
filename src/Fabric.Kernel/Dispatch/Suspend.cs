namespace Fabric.Kernel.Dispatch;

/// <summary>Stop processing user messages (recursively for children) until a matching <see cref="Resume"/>.</summary>
internal sealed class Suspend : ISystemMessage
{
    public static Suspend Instance { get; } = new();
}
