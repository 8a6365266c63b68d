namespace Fabric.Kernel.Persistence;

/// <summary>
/// Delivered to the recover handler first when recovery found a snapshot matching <see cref="Recovery.FromSnapshot"/>;
/// events after <see cref="SnapshotMetadata.SequenceNr"/> are replayed next (actor-semantics §6, step 2).
/// </summary>
/// <param name="Metadata">Which snapshot.</param>
/// <param name="Snapshot">The deserialized state.</param>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);
