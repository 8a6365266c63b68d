namespace Fabric.Kernel.Dispatch;

/// <summary>A <c>ReceiveAsync</c> handler's task finished: resume user messages, or fail if the task faulted.</summary>
internal sealed record ActorTaskCompleted(Task Task, Envelope Envelope) : ISystemMessage;
