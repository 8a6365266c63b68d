namespace Fabric.Kernel.Persistence;

/// <summary>
/// How a persistent actor recovers (Akka.Persistence <c>Recovery</c>): the snapshot to start from, then replay of the events
/// after it up to <see cref="ToSequenceNr"/>, at most <see cref="ReplayMax"/> of them.
/// </summary>
public sealed record Recovery
{
    /// <summary>Creates a recovery plan.</summary>
    /// <param name="fromSnapshot">Which snapshot to offer first (<see cref="SnapshotSelectionCriteria.None"/> = none).</param>
    /// <param name="toSequenceNr">Replay events up to this sequence number (inclusive).</param>
    /// <param name="replayMax">Replay at most this many events.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toSequenceNr"/> or <paramref name="replayMax"/> is negative.</exception>
    public Recovery(SnapshotSelectionCriteria fromSnapshot, long toSequenceNr = long.MaxValue, long replayMax = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(fromSnapshot);
        ArgumentOutOfRangeException.ThrowIfNegative(toSequenceNr);
        ArgumentOutOfRangeException.ThrowIfNegative(replayMax);
        FromSnapshot = fromSnapshot;
        ToSequenceNr = toSequenceNr;
        ReplayMax = replayMax;
    }

    /// <summary>Latest snapshot, then every later event (the default).</summary>
    public static Recovery Default { get; } = new(SnapshotSelectionCriteria.Latest);

    /// <summary>
    /// No snapshot and no replay: the actor starts empty, but <c>LastSequenceNr</c> still continues after the highest stored
    /// event, and <see cref="RecoveryCompleted"/> is still delivered.
    /// </summary>
    public static Recovery None { get; } = new(SnapshotSelectionCriteria.None, 0);

    /// <summary>Which snapshot to offer first.</summary>
    public SnapshotSelectionCriteria FromSnapshot { get; }

    /// <summary>Highest sequence number to replay (inclusive).</summary>
    public long ToSequenceNr { get; }

    /// <summary>Most events to replay.</summary>
    public long ReplayMax { get; }
}
