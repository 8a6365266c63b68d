namespace Fabric.Kernel.Dispatch;

/// <summary>Run the stop sequence (actor-semantics §3).</summary>
internal sealed class Terminate : ISystemMessage
{
    public static Terminate Instance { get; } = new();
}
