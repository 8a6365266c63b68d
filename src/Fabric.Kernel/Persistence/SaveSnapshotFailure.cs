namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command when a <c>SaveSnapshot</c> call failed (serialization or store error); not fatal.</summary>
/// <param name="Metadata">The snapshot that was not stored.</param>
/// <param name="Cause">Why.</param>
public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);
