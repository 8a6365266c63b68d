namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command when <c>DeleteSnapshots</c> failed.</summary>
/// <param name="Criteria">The selection.</param>
/// <param name="Cause">Why.</param>
public sealed record DeleteSnapshotsFailure(SnapshotSelectionCriteria Criteria, Exception Cause);
