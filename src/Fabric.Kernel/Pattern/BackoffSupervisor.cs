using Fabric.Kernel.Pattern.Internal;

namespace Fabric.Kernel.Pattern;

/// <summary>
/// The backoff supervisor pattern (Akka.NET <c>BackoffSupervisor</c>, actor-semantics §4 note, §6): a parent that starts one
/// child, forwards every message to it, and when the child stops (<see cref="Backoff.OnStop"/>) or fails
/// (<see cref="Backoff.OnFailure"/>) starts it again after an exponentially growing delay — the recommended wrapper for
/// persistent actors, which stop on journal failures. Messages sent while the child is down go to dead letters. Delays run
/// on the system's <see cref="TimeProvider"/> (virtual time in tests).
/// </summary>
public static partial class BackoffSupervisor
{
    /// <summary>Props of a backoff supervisor configured by <paramref name="options"/>.</summary>
    /// <param name="options">From <see cref="Backoff.OnStop"/> or <see cref="Backoff.OnFailure"/>.</param>
    /// <returns>The supervisor's props.</returns>
    public static Fabric.Kernel.Actor.Props Props(BackoffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Fabric.Kernel.Actor.Props.Create(() => new BackoffSupervisorActor(options));
    }
}
