namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command after <c>DeleteSnapshots</c> deleted every snapshot matching <paramref name="Criteria"/>.</summary>
/// <param name="Criteria">The selection.</param>
public sealed record DeleteSnapshotsSuccess(SnapshotSelectionCriteria Criteria);
