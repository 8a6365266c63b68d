using Fabric.Kernel.Event;

namespace Fabric.Kernel.Actor;

/// <summary>
/// The actor's view of itself and the kernel (Akka.NET <c>IActorContext</c>). Not thread-safe: only use it from inside the
/// actor's handlers and hooks.
/// </summary>
public interface IActorContext
{
    /// <summary>This actor's reference.</summary>
    IActorRef Self { get; }

    /// <summary>Sender of the message being processed (<c>DeadLetters</c> when there was none).</summary>
    IActorRef Sender { get; }

    /// <summary>The supervising parent.</summary>
    IActorRef Parent { get; }

    /// <summary>The actor system.</summary>
    ActorSystem System { get; }

    /// <summary>The recipe this actor was created from.</summary>
    Props Props { get; }

    /// <summary>Logger whose source is this actor's path; writes to the ILogger and the event stream.</summary>
    ILoggingAdapter Log { get; }

    /// <summary>Snapshot of the live children (including ones being stopped).</summary>
    /// <returns>The children.</returns>
    IEnumerable<IActorRef> GetChildren();

    /// <summary>The child named <paramref name="name"/>, or <see cref="ActorRefs.Nobody"/> when absent.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>The child or <see cref="ActorRefs.Nobody"/>.</returns>
    IActorRef Child(string name);

    /// <summary>Creates a child actor; its creation is the first message it processes.</summary>
    /// <param name="props">The recipe.</param>
    /// <param name="name">Unique child name, or <see langword="null"/> for a generated <c>$</c> name.</param>
    /// <returns>The child's reference.</returns>
    /// <exception cref="InvalidActorNameException">The name is invalid or still reserved.</exception>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops <paramref name="actor"/> (a child or <c>Self</c>) asynchronously after its current message.</summary>
    /// <param name="actor">The actor to stop.</param>
    void Stop(IActorRef actor);

    /// <summary>Watches <paramref name="subject"/>: one <see cref="Terminated"/> arrives when it stops (also when already dead).</summary>
    /// <param name="subject">The actor to watch; watching self is a no-op.</param>
    /// <returns><paramref name="subject"/>.</returns>
    IActorRef Watch(IActorRef subject);

    /// <summary>Like <see cref="Watch"/> but delivers <paramref name="message"/> instead of <see cref="Terminated"/>.</summary>
    /// <param name="subject">The actor to watch.</param>
    /// <param name="message">The message to deliver when it stops.</param>
    /// <returns><paramref name="subject"/>.</returns>
    /// <exception cref="InvalidOperationException">Already watching with a different message.</exception>
    IActorRef WatchWith(IActorRef subject, object message);

    /// <summary>Stops watching; guarantees no <see cref="Terminated"/> for it is processed afterwards, even one already queued.</summary>
    /// <param name="subject">The watched actor.</param>
    /// <returns><paramref name="subject"/>.</returns>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the current behavior with <paramref name="receive"/>.</summary>
    /// <param name="receive">The new behavior.</param>
    void Become(Receive receive);

    /// <summary>Pushes <paramref name="receive"/> on the behavior stack.</summary>
    /// <param name="receive">The new behavior.</param>
    void BecomeStacked(Receive receive);

    /// <summary>Pops the behavior stack (never below the initial behavior).</summary>
    void UnbecomeStacked();

    /// <summary>Sets (or with <see langword="null"/> clears) the idle time after which <see cref="ReceiveTimeout"/> is delivered.</summary>
    /// <param name="timeout">The idle duration, or <see langword="null"/>.</param>
    void SetReceiveTimeout(TimeSpan? timeout);

    /// <summary>The current receive timeout, or <see langword="null"/>.</summary>
    TimeSpan? ReceiveTimeout { get; }
}
