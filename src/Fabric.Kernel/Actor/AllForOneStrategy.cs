namespace Fabric.Kernel.Actor;

/// <summary>
/// Applies Restart/Stop to <em>all</em> children (Akka.NET <c>AllForOneStrategy</c>); restart permission must be granted for
/// every child, otherwise all are stopped. Resume applies to the failed child only.
/// </summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>Creates the strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed per child; <see langword="null"/> or negative = unlimited, 0 = never.</param>
    /// <param name="withinTimeRange">Window the limit applies to; <see langword="null"/> = child's lifetime.</param>
    /// <param name="decider">Maps failures to directives.</param>
    public AllForOneStrategy(int? maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        MaxNumberOfRetries = maxNrOfRetries ?? -1;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    /// <summary>Creates the strategy with unlimited restarts.</summary>
    /// <param name="decider">Maps failures to directives.</param>
    public AllForOneStrategy(Func<Exception, Directive> decider)
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
        ArgumentNullException.ThrowIfNull(children);
        if (children.Count == 0)
        {
            return;
        }

        var permitted = restart;
        if (restart)
        {
            foreach (var c in children)
            {
                if (!c.RequestRestartPermission(MaxNumberOfRetries, WithinTimeRange))
                {
                    permitted = false;
                    break;
                }
            }
        }

        foreach (var c in children)
        {
            if (permitted)
            {
                RestartChild(c.Child, cause, suspendFirst: !c.Child.Equals(child));
            }
            else
            {
                context.Stop(c.Child);
            }
        }
    }
}
