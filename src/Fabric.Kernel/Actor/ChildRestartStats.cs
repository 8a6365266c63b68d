namespace Fabric.Kernel.Actor;

/// <summary>
/// A child together with its restart accounting (Akka.NET <c>ChildRestartStats</c>); kept per child by its parent, so
/// retry limits count per child (actor-semantics §4).
/// </summary>
public sealed class ChildRestartStats
{
    private readonly TimeProvider _timeProvider;
    private long _windowStartTimestamp;
    private bool _windowOpen;

    internal ChildRestartStats(IActorRef child, TimeProvider timeProvider)
    {
        Child = child;
        _timeProvider = timeProvider;
    }

    /// <summary>The child.</summary>
    public IActorRef Child { get; }

    /// <summary>Restarts counted so far (lifetime, or within the current window).</summary>
    public int MaxNrOfRetriesCount { get; private set; }

    /// <summary>
    /// Counts one restart and says whether it is allowed: <paramref name="maxNrOfRetries"/> 0 ⇒ never; negative with no window
    /// ⇒ always; positive with no window ⇒ lifetime count ≤ limit; with a window, restarts inside the window (opened at the first
    /// restart) are counted against the limit (1 when the limit is negative), and a restart after the window closed resets the
    /// count to 1 and opens a new window (actor-semantics §4).
    /// </summary>
    /// <param name="maxNrOfRetries">Limit; negative = unlimited.</param>
    /// <param name="withinTimeRange">Window length, or <see langword="null"/>/zero for none.</param>
    /// <returns><see langword="true"/> when the restart is permitted; otherwise the child must be stopped.</returns>
    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan? withinTimeRange)
    {
        if (maxNrOfRetries == 0)
        {
            return false;
        }

        var retriesDefined = maxNrOfRetries > 0;
        var window = withinTimeRange ?? TimeSpan.Zero;
        if (window <= TimeSpan.Zero)
        {
            if (!retriesDefined)
            {
                return true;
            }

            MaxNrOfRetriesCount++;
            return MaxNrOfRetriesCount <= maxNrOfRetries;
        }

        var limit = retriesDefined ? maxNrOfRetries : 1;
        var now = _timeProvider.GetTimestamp();
        if (!_windowOpen)
        {
            _windowOpen = true;
            _windowStartTimestamp = now;
        }

        if (_timeProvider.GetElapsedTime(_windowStartTimestamp, now) <= window)
        {
            MaxNrOfRetriesCount++;
            return MaxNrOfRetriesCount <= limit;
        }

        MaxNrOfRetriesCount = 1;
        _windowStartTimestamp = now;
        return true;
    }
}
