namespace Fabric.Kernel.Actor;

/// <summary>Applies the directive to the failed child only (Akka.NET <c>OneForOneStrategy</c>, the default kind).</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>Creates the strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed per child; <see langword="null"/> or negative = unlimited, 0 = never.</param>
    /// <param name="withinTimeRange">Window the limit applies to; <see langword="null"/> = child's lifetime.</param>
    /// <param name="decider">Maps failures to directives.</param>
    public OneForOneStrategy(int? maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        MaxNumberOfRetries = maxNrOfRetries ?? -1;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    /// <summary>Creates the strategy with unlimited restarts.</summary>
    /// <param name="decider">Maps failures to directives.</param>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(null, null, decider)
    {
    }

    /// <summary>Restarts allowed per child; negative = unlimited.</summary>
    public int MaxNumberOfRetries { get; }

    /// <summary>Window the limit applies to, or <see langword="null"/>.</summary>
    public TimeSpan? WithinTimeRange { get; }

    /// <inheritdoc/>
    public override Func<Exception, Directive> Decider => _decider;

    /// <inheritdoc/>
    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
        ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(stats);
        if (restart && stats.RequestRestartPermission(MaxNumberOfRetries, WithinTimeRange))
        {
            RestartChild(child, cause, suspendFirst: false);
        }
        else
        {
            context.Stop(child);
        }
    }
}
