namespace Fabric.Kernel.Actor;

/// <summary>
/// An actor's constructor or <c>PreStart</c> threw (actor-semantics §3); the default decider stops the actor.
/// </summary>
public class ActorInitializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="actor">The actor that failed to initialize, if known.</param>
    /// <param name="message">Description.</param>
    /// <param name="cause">The exception thrown by the constructor or hook.</param>
    public ActorInitializationException(IActorRef? actor, string message, Exception? cause)
        : base(message, cause)
    {
        Actor = actor;
    }

    /// <summary>The actor that failed to initialize, if known.</summary>
    public IActorRef? Actor { get; }
}
