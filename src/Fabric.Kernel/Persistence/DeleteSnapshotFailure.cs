namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command when <c>DeleteSnapshot</c> failed.</summary>
/// <param name="Metadata">The snapshot that was to be deleted.</param>
/// <param name="Cause">Why.</param>
public sealed record DeleteSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);
