namespace Fabric.Kernel.Dispatch;

/// <summary>Builds the actor instance and runs <c>PreStart</c>; always the first message an actor processes.</summary>
internal sealed class Create : ISystemMessage
{
    public static Create Instance { get; } = new();
}
