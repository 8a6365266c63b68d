using Fabric.Kernel.Actor;

namespace Fabric.Kernel.Pattern;

/// <summary>
/// Immutable configuration of a <see cref="BackoffSupervisor"/> (Akka.NET <c>BackoffOptions</c>), built by
/// <see cref="Backoff"/>; each <c>With…</c> returns a modified copy. Default: the child's failures are handled by
/// <see cref="SupervisorStrategy.DefaultStrategy"/>, unlimited restarts, and the restart count resets automatically once
/// a child has run for <c>minBackoff</c>.
/// </summary>
public sealed record BackoffOptions
{
    internal BackoffOptions(BackoffMode mode, Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor)
    {
        ArgumentNullException.ThrowIfNull(childProps);
        ArgumentException.ThrowIfNullOrEmpty(childName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBackoff, minBackoff);
        if (!(randomFactor >= 0 && randomFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(randomFactor), randomFactor, "randomFactor must be in [0, 1].");
        }

        Mode = mode;
        ChildProps = childProps;
        ChildName = childName;
        MinBackoff = minBackoff;
        MaxBackoff = maxBackoff;
        RandomFactor = randomFactor;
        ResetBackoff = minBackoff;
    }

    /// <summary>When the child is restarted.</summary>
    public BackoffMode Mode { get; }

    /// <summary>The child's props.</summary>
    public Props ChildProps { get; }

    /// <summary>The child's name.</summary>
    public string ChildName { get; }

    /// <summary>First restart delay.</summary>
    public TimeSpan MinBackoff { get; }

    /// <summary>Largest delay before the random factor.</summary>
    public TimeSpan MaxBackoff { get; }

    /// <summary>Random extra fraction in [0, 1] added to each delay.</summary>
    public double RandomFactor { get; }

    /// <summary>The strategy for the child's failures (OnFailure: its decider's Restart means "restart with backoff").</summary>
    public SupervisorStrategy Strategy { get; private init; } = SupervisorStrategy.DefaultStrategy;

    /// <summary>How long a child must live before the restart count resets; <see langword="null"/> = manual reset only.</summary>
    public TimeSpan? ResetBackoff { get; private init; }

    /// <summary>Backoff restarts allowed before the supervisor gives up and stops itself; negative = unlimited.</summary>
    public int MaxNrOfRetries { get; private init; } = -1;

    /// <summary>Uses <paramref name="strategy"/> for the child's failures.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>The modified options.</returns>
    public BackoffOptions WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return this with { Strategy = strategy };
    }

    /// <summary>Resets the restart count once a child has run for <paramref name="resetBackoff"/> (the default uses <see cref="MinBackoff"/>).</summary>
    /// <param name="resetBackoff">Time a child must survive (&gt; 0).</param>
    /// <returns>The modified options.</returns>
    public BackoffOptions WithAutoReset(TimeSpan resetBackoff)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resetBackoff, TimeSpan.Zero);
        return this with { ResetBackoff = resetBackoff };
    }

    /// <summary>Resets the restart count only on <see cref="BackoffSupervisor.Reset"/> messages.</summary>
    /// <returns>The modified options.</returns>
    public BackoffOptions WithManualReset() => this with { ResetBackoff = null };

    /// <summary>Stops the supervisor after <paramref name="maxNrOfRetries"/> backoff restarts (negative = unlimited).</summary>
    /// <param name="maxNrOfRetries">The limit.</param>
    /// <returns>The modified options.</returns>
    public BackoffOptions WithMaxNrOfRetries(int maxNrOfRetries) => this with { MaxNrOfRetries = maxNrOfRetries };

    /// <summary>
    /// The delay before restart number <paramref name="restartCount"/> + 1: <c>min(max, min · 2^n) · (1 + random · RandomFactor)</c>
    /// (Akka's formula; 2^n saturates at n = 30).
    /// </summary>
    /// <param name="restartCount">Restarts since the last reset (n ≥ 0).</param>
    /// <param name="random">A value in [0, 1).</param>
    /// <returns>The delay.</returns>
    public TimeSpan CalculateDelay(int restartCount, double random)
    {
        var factor = 1.0 + random * RandomFactor;
        var baseTicks = restartCount >= 30
            ? MaxBackoff.Ticks
            : Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * Math.Pow(2, restartCount));
        return TimeSpan.FromTicks((long)(baseTicks * factor));
    }
}
