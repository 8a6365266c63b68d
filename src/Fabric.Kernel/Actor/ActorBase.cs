using Fabric.Kernel.Actor.Internal;
using Fabric.Kernel.Event;
using Fabric.Kernel.Scheduling;

namespace Fabric.Kernel.Actor;

/// <summary>
/// Base of every actor (Akka.NET <c>ActorBase</c>). Instances are created only by the kernel from <see cref="Props"/>
/// (<c>new</c> elsewhere throws <see cref="ActorInitializationException"/>). Lifecycle (actor-semantics §3): constructor →
/// <see cref="PreStart"/>; on restart <see cref="PreRestart"/> on the old instance, then a new instance's constructor and
/// <see cref="PostRestart"/>; on stop <see cref="PostStop"/>. <see cref="IWithTimers.Timers"/> and
/// <see cref="IWithUnboundedStash.Stash"/> are injected before the constructor body runs.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the instance to the cell creating it.</summary>
    /// <exception cref="ActorInitializationException">Not created by the kernel (e.g. with <c>new</c> outside <c>Props</c>).</exception>
    protected ActorBase()
    {
        _cell = ActorCell.TakeCreatingCell() ?? throw new ActorInitializationException(null,
            $"You cannot create an instance of [{GetType().FullName}] explicitly; use Props with ActorOf.", null);
        if (this is IWithTimers withTimers)
        {
            withTimers.Timers = _cell.TimerScheduler;
        }

        if (this is IWithUnboundedStash withStash)
        {
            withStash.Stash = _cell.CreateStash();
        }
    }

    /// <summary>The context of the actor whose message or hook is running on this thread.</summary>
    /// <exception cref="NotSupportedException">Used outside an actor (e.g. in a continuation that left the actor's context).</exception>
    protected static IActorContext Context => ActorCell.Current
        ?? throw new NotSupportedException("There is no active actor context; this usually means an actor was used from outside its message handler (for example after ConfigureAwait(false)).");

    /// <summary>This actor's reference (safe to capture and use from any thread).</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>Sender of the message being processed (<c>DeadLetters</c> outside message processing).</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>Handles <paramref name="message"/>; return <see langword="false"/> to route it to <see cref="Unhandled"/>.</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> when handled.</returns>
    protected abstract bool Receive(object message);

    /// <summary>
    /// Called for messages the behavior did not handle: an unhandled <see cref="Terminated"/> throws
    /// <see cref="DeathPactException"/>; anything else is published as <see cref="UnhandledMessage"/> on the event stream.
    /// </summary>
    /// <param name="message">The message.</param>
    protected virtual void Unhandled(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is Terminated terminated)
        {
            throw new DeathPactException(terminated.ActorRef);
        }

        _cell.SystemImpl.EventStream.Publish(new UnhandledMessage(message, _cell.Sender, _cell.Self));
    }

    /// <summary>Runs after the constructor, before the first message. Default: nothing.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Runs once when the actor stops, after its children stopped. Default: nothing.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>
    /// Runs on the failed instance before it is replaced. Default: unwatch and stop every child, then <see cref="PostStop"/>.
    /// Exceptions thrown here are logged and ignored.
    /// </summary>
    /// <param name="reason">The failure that caused the restart.</param>
    /// <param name="message">The message being processed when it failed, if any (it is dropped).</param>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.GetChildren())
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Runs on the new instance after a restart. Default: <see cref="PreStart"/>.</summary>
    /// <param name="reason">The failure that caused the restart.</param>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor supervises its children. Default: <see cref="Actor.SupervisorStrategy.DefaultStrategy"/>.</summary>
    /// <returns>The strategy.</returns>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actor.SupervisorStrategy.DefaultStrategy;

    /// <summary>The cell this instance belongs to (persistence plumbing).</summary>
    internal ActorCell Cell => _cell;

    internal bool ReceiveInternal(object message) => Receive(message);

    /// <summary>Runs <paramref name="receive"/> (the current behavior) for a user message; persistent actors wrap it with their state machine.</summary>
    internal virtual bool AroundReceive(Receive receive, object message) => receive(message);

    internal void UnhandledInternal(object message) => Unhandled(message);

    internal virtual void AroundPreStart() => PreStart();

    internal virtual void AroundPostStop() => PostStop();

    internal virtual void AroundPreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal virtual void AroundPostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy SupervisorStrategyInternal() => SupervisorStrategy();

    /// <summary>Called by the kernel right after construction (ReceiveActor freezes its handlers here).</summary>
    internal virtual void OnConstructed()
    {
    }
}
