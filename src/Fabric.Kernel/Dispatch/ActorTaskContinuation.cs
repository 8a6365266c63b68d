namespace Fabric.Kernel.Dispatch;

/// <summary>An <c>await</c> continuation of a <c>ReceiveAsync</c> handler, run on the actor with the original message restored.</summary>
internal sealed record ActorTaskContinuation(SendOrPostCallback Callback, object? State, Envelope Envelope) : ISystemMessage;
