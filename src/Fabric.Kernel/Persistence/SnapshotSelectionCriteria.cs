namespace Fabric.Kernel.Persistence;

/// <summary>
/// Which snapshots a load or delete selects (Akka.Persistence <c>SnapshotSelectionCriteria</c>): sequence
/// number in [<paramref name="MinSequenceNr"/>, <paramref name="MaxSequenceNr"/>] and timestamp in
/// [<paramref name="MinTimestamp"/>, <paramref name="MaxTimestamp"/>] (null = unbounded).
/// </summary>
public sealed record SnapshotSelectionCriteria(long MaxSequenceNr, DateTime? MaxTimestamp = null, long MinSequenceNr = 0, DateTime? MinTimestamp = null)
{
    /// <summary>The newest snapshot.</summary>
    public static SnapshotSelectionCriteria Latest { get; } = new(long.MaxValue);

    /// <summary>No snapshot.</summary>
    public static SnapshotSelectionCriteria None { get; } = new(0);

    /// <summary>True when <paramref name="metadata"/> is selected.</summary>
    public bool Matches(SnapshotMetadata metadata) =>
        metadata.SequenceNr <= MaxSequenceNr && metadata.SequenceNr >= MinSequenceNr &&
        (MaxTimestamp is null || metadata.Timestamp <= MaxTimestamp) &&
        (MinTimestamp is null || metadata.Timestamp >= MinTimestamp);
}
