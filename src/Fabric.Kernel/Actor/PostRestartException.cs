namespace Fabric.Kernel.Actor;

/// <summary>
/// The new instance's constructor or <c>PostRestart</c> threw during a restart (actor-semantics §3 step 5); being an
/// <see cref="ActorInitializationException"/>, the default decider stops the actor.
/// </summary>
public sealed class PostRestartException : ActorInitializationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="actor">The restarting actor.</param>
    /// <param name="originalCause">The failure that caused the restart.</param>
    /// <param name="cause">The exception thrown while restarting.</param>
    public PostRestartException(IActorRef actor, Exception originalCause, Exception cause)
        : base(actor, $"Exception post restart ({originalCause.GetType().Name})", cause)
    {
        OriginalCause = originalCause;
    }

    /// <summary>The failure that caused the restart.</summary>
    public Exception OriginalCause { get; }
}
