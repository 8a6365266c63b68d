using Fabric.Kernel.Dispatch;
using Fabric.Kernel.Event;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// <c>/deadLetters</c>: publishes a <see cref="DeadLetter"/> for every message (actor-semantics §2.2) and logs the first ten
/// at Info (Akka <c>log-dead-letters = 10</c>), none once the system is shutting down. Answers <see cref="Identify"/> with a
/// null subject; watching it yields an immediate <see cref="Terminated"/>.
/// </summary>
internal sealed class DeadLetterActorRef(ActorSystemImpl system, ActorPath path) : InternalActorRef
{
    private const int LogLimit = 10;
    private int _logged;

    public override ActorPath Path { get; } = path;

    public override ActorSystemImpl System { get; } = system;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Publish(message, sender ?? this, this);
    }

    /// <summary>Publishes <paramref name="message"/> as undeliverable to <paramref name="recipient"/>.</summary>
    public void Publish(object message, IActorRef sender, IActorRef recipient)
    {
        switch (message)
        {
            case DeadLetter d:
                Publish(d.Message, d.Sender, d.Recipient);
                return;
            case Identify identify:
                sender.Tell(new ActorIdentity(identify.MessageId, null), this);
                return;
        }

        System.EventStream.Publish(new DeadLetter(message, sender, recipient));
        if (System.IsTerminating || Interlocked.Increment(ref _logged) > LogLimit)
        {
            return;
        }

        var count = Volatile.Read(ref _logged);
        var suffix = count == LogLimit ? " Further dead letters will not be logged." : string.Empty;
        System.LogFor(Path.ToString(), typeof(DeadLetterActorRef)).Info(
            $"Message [{message.GetType().Name}] from {sender.Path} to {recipient.Path} was not delivered. [{count}] dead letters encountered.{suffix}");
    }

    public override void SendSystemMessage(ISystemMessage message)
    {
        if (message is Watch w)
        {
            w.Watcher.SendSystemMessage(new DeathWatchNotification(w.Watchee, ExistenceConfirmed: false, AddressTerminated: false));
        }
    }
}
