using Fabric.Kernel.Actor;

namespace Fabric.Kernel.TestKit;

/// <summary>
/// A lightweight test actor with its own queue and the full expectation API (Akka.NET <c>TestProbe</c>); lives under
/// <c>/system</c> of the system it was created on.
/// </summary>
public sealed class TestProbe : TestKitBase
{
    private static long s_counter;

    internal TestProbe(ActorSystem system, string? name)
        : this(system, new MessageQueue(), name)
    {
    }

    private TestProbe(ActorSystem system, MessageQueue queue, string? name)
        : base(system, CreateTestActor(system, queue, name ?? "testProbe-" + Interlocked.Increment(ref s_counter)), queue)
    {
    }

    /// <summary>The probe's reference (same as <see cref="TestKitBase.TestActor"/>).</summary>
    public IActorRef Ref => TestActor;

    /// <summary>Sender of the last message taken (same as <see cref="TestKitBase.LastSender"/>).</summary>
    public IActorRef Sender => LastSender;

    /// <summary>Replies to <see cref="Sender"/> with the probe as sender.</summary>
    /// <param name="message">The reply.</param>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    /// <param name="target">The receiver.</param>
    /// <param name="message">The message.</param>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Ref);
    }

    /// <summary>Sends the last taken message to <paramref name="target"/>, keeping its original sender.</summary>
    /// <param name="target">The receiver.</param>
    /// <exception cref="InvalidOperationException">No message has been taken yet.</exception>
    public void Forward(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(LastMessage ?? throw new InvalidOperationException("The probe has not received a message yet."), LastSender);
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> keeping <see cref="Sender"/> as its sender.</summary>
    /// <param name="target">The receiver.</param>
    /// <param name="message">The message.</param>
    public void Forward(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, LastSender);
    }

    /// <inheritdoc/>
    public override string ToString() => $"TestProbe({Ref.Path})";
}
