using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Pattern;

/// <summary>Builds <see cref="BackoffOptions"/> for <see cref="BackoffSupervisor.Props"/> (Akka.NET <c>Backoff</c>).</summary>
public static class Backoff
{
    /// <summary>
    /// Restarts the child whenever it <em>stops</em> — e.g. a persistent actor after a journal failure — after
    /// <c>min(maxBackoff, minBackoff · 2^n) · (1 + r · randomFactor)</c>, n = restarts since the last reset, r ∈ [0, 1).
    /// </summary>
    /// <param name="childProps">The child's props.</param>
    /// <param name="childName">The child's name (reused by every incarnation).</param>
    /// <param name="minBackoff">First delay (&gt; 0).</param>
    /// <param name="maxBackoff">Largest delay before the random factor (≥ <paramref name="minBackoff"/>).</param>
    /// <param name="randomFactor">Random extra fraction in [0, 1] added to each delay, to spread restarts.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A delay or the random factor is out of range.</exception>
    public static BackoffOptions OnStop(Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor) =>
        new(BackoffMode.OnStop, childProps, childName, minBackoff, maxBackoff, randomFactor);

    /// <summary>
    /// Restarts the child (stopping it and starting a new one after the same backoff as <see cref="OnStop"/>) whenever it
    /// fails with an exception the supervisor strategy's decider maps to Restart.
    /// </summary>
    /// <param name="childProps">The child's props.</param>
    /// <param name="childName">The child's name.</param>
    /// <param name="minBackoff">First delay (&gt; 0).</param>
    /// <param name="maxBackoff">Largest delay before the random factor (≥ <paramref name="minBackoff"/>).</param>
    /// <param name="randomFactor">Random extra fraction in [0, 1].</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A delay or the random factor is out of range.</exception>
    public static BackoffOptions OnFailure(Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor) =>
        new(BackoffMode.OnFailure, childProps, childName, minBackoff, maxBackoff, randomFactor);
}
