using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>Posts <c>await</c> continuations of a <c>ReceiveAsync</c> handler back to its actor as system messages.</summary>
internal sealed class ActorSynchronizationContext(ActorCell cell, Envelope envelope) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) =>
        cell.Mailbox.EnqueueSystem(new ActorTaskContinuation(d, state, envelope));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send is not supported on an actor's synchronization context.");

    public override SynchronizationContext CreateCopy() => this;
}
