namespace Fabric.Kernel.Persistence;

/// <summary>Identifies a snapshot (Akka.Persistence <c>SnapshotMetadata</c>).</summary>
/// <param name="PersistenceId">Owner.</param>
/// <param name="SequenceNr">Sequence number of the last event the snapshot includes.</param>
/// <param name="Timestamp">When it was taken (UTC).</param>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTime Timestamp);
