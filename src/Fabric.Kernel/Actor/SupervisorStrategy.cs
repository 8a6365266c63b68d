using Fabric.Kernel.Actor.Internal;
using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor;

/// <summary>
/// How a parent handles a failed child (Akka.NET <c>SupervisorStrategy</c>, actor-semantics §4): the <see cref="Decider"/>
/// maps the exception to a <see cref="Directive"/>; Resume/Restart/Stop are logged (Resume as Warning, Restart/Stop as Error),
/// Escalate fails the parent itself with the same exception.
/// </summary>
public abstract class SupervisorStrategy
{
    /// <summary>
    /// Akka's default decider: <see cref="ActorInitializationException"/>, <see cref="ActorKilledException"/> and
    /// <see cref="DeathPactException"/> ⇒ Stop; any other exception ⇒ Restart.
    /// </summary>
    public static Func<Exception, Directive> DefaultDecider { get; } = cause => cause switch
    {
        ActorInitializationException => Directive.Stop,
        ActorKilledException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>One-for-one with <see cref="DefaultDecider"/> and unlimited restarts.</summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>One-for-one that stops every failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Maps a failure to a directive.</summary>
    public abstract Func<Exception, Directive> Decider { get; }

    /// <summary>Whether failures are logged (default <see langword="true"/>).</summary>
    public bool LoggingEnabled { get; init; } = true;

    /// <summary>
    /// Applies a Restart (<paramref name="restart"/> = true) or Stop decision to the failed child (one-for-one) or to all
    /// children (all-for-one), honouring the retry limits.
    /// </summary>
    /// <param name="context">The supervising actor's context.</param>
    /// <param name="restart"><see langword="true"/> for Restart, <see langword="false"/> for Stop.</param>
    /// <param name="child">The failed child.</param>
    /// <param name="cause">The failure.</param>
    /// <param name="stats">The failed child's restart stats.</param>
    /// <param name="children">Every child's restart stats.</param>
    public abstract void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
        ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children);

    /// <summary>Handles a child failure; returns <see langword="false"/> when the failure must be escalated.</summary>
    /// <param name="context">The supervising actor's context.</param>
    /// <param name="child">The failed child.</param>
    /// <param name="cause">The failure.</param>
    /// <param name="stats">The failed child's restart stats.</param>
    /// <param name="children">Every child's restart stats.</param>
    /// <returns><see langword="true"/> when handled; <see langword="false"/> for Escalate.</returns>
    public bool HandleFailure(IActorContext context, IActorRef child, Exception cause, ChildRestartStats stats,
        IReadOnlyCollection<ChildRestartStats> children)
    {
        ArgumentNullException.ThrowIfNull(context);
        var directive = Decider(cause);
        switch (directive)
        {
            case Directive.Resume:
                LogFailure(context, child, cause, directive);
                ResumeChild(child, cause);
                return true;
            case Directive.Restart:
                LogFailure(context, child, cause, directive);
                ProcessFailure(context, true, child, cause, stats, children);
                return true;
            case Directive.Stop:
                LogFailure(context, child, cause, directive);
                ProcessFailure(context, false, child, cause, stats, children);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Logs a failure: Resume ⇒ Warning, Restart/Stop ⇒ Error (with the cause), Escalate ⇒ nothing.</summary>
    /// <param name="context">The supervising actor's context.</param>
    /// <param name="child">The failed child (used as log source).</param>
    /// <param name="cause">The failure.</param>
    /// <param name="directive">The chosen directive.</param>
    protected virtual void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!LoggingEnabled || directive == Directive.Escalate)
        {
            return;
        }

        var system = (ActorSystemImpl)context.System;
        var text = cause.Message;
        if (cause is ActorInitializationException { InnerException: { } inner })
        {
            text = $"{cause.Message}: {inner.Message}";
        }

        var level = directive == Directive.Resume
            ? Microsoft.Extensions.Logging.LogLevel.Warning
            : Microsoft.Extensions.Logging.LogLevel.Error;
        system.LogFor(child.Path.ToString(), typeof(SupervisorStrategy)).Log(level, cause, text);
    }

    /// <summary>Resumes a failed child (its state is kept, the failing message is dropped).</summary>
    /// <param name="child">The child.</param>
    /// <param name="cause">The failure being resumed.</param>
    protected static void ResumeChild(IActorRef child, Exception cause) =>
        ((InternalActorRef)child).SendSystemMessage(new Resume(cause));

    /// <summary>Restarts a child, suspending it first when it is not the one that failed (all-for-one).</summary>
    /// <param name="child">The child.</param>
    /// <param name="cause">The failure that caused the restart.</param>
    /// <param name="suspendFirst">Whether to suspend the child first.</param>
    protected static void RestartChild(IActorRef child, Exception cause, bool suspendFirst)
    {
        var c = (InternalActorRef)child;
        if (suspendFirst)
        {
            c.SendSystemMessage(Suspend.Instance);
        }

        c.SendSystemMessage(new Recreate(cause));
    }
}
