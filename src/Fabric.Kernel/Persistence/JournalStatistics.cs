namespace Fabric.Kernel.Persistence;

/// <summary>
/// Thread-safe counters of the group-commit journal writer (one instance per <see cref="PersistenceExtension"/>): how many
/// events it stored, in how many inner journal calls, how many calls failed, and how long the calls took (milliseconds).
/// </summary>
public sealed class JournalStatistics
{
    private readonly Lock _lock = new();
    private long _eventsWritten;
    private long _eventsRejected;
    private long _batches;
    private long _failures;
    private double _lastLatencyMs;
    private double _totalLatencyMs;

    /// <summary>Events stored (rejected writes excluded).</summary>
    public long EventsWritten
    {
        get
        {
            lock (_lock)
            {
                return _eventsWritten;
            }
        }
    }

    /// <summary>Events the journal rejected (returned, not thrown).</summary>
    public long EventsRejected
    {
        get
        {
            lock (_lock)
            {
                return _eventsRejected;
            }
        }
    }

    /// <summary>Inner journal write calls (batches), successful or not.</summary>
    public long Batches
    {
        get
        {
            lock (_lock)
            {
                return _batches;
            }
        }
    }

    /// <summary>Inner journal write calls that threw.</summary>
    public long Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures;
            }
        }
    }

    /// <summary>Duration of the most recent inner write call, in milliseconds (0 before the first).</summary>
    public double LastWriteLatencyMs
    {
        get
        {
            lock (_lock)
            {
                return _lastLatencyMs;
            }
        }
    }

    /// <summary>Mean duration of all inner write calls, in milliseconds (0 before the first).</summary>
    public double AverageWriteLatencyMs
    {
        get
        {
            lock (_lock)
            {
                return _batches == 0 ? 0 : _totalLatencyMs / _batches;
            }
        }
    }

    internal void RecordBatch(long eventsWritten, long eventsRejected, double latencyMs)
    {
        lock (_lock)
        {
            _batches++;
            _eventsWritten += eventsWritten;
            _eventsRejected += eventsRejected;
            _lastLatencyMs = latencyMs;
            _totalLatencyMs += latencyMs;
        }
    }

    internal void RecordFailure(double latencyMs)
    {
        lock (_lock)
        {
            _batches++;
            _failures++;
            _lastLatencyMs = latencyMs;
            _totalLatencyMs += latencyMs;
        }
    }
}
