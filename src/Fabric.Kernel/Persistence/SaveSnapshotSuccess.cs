namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command after a <c>SaveSnapshot</c> call stored the snapshot.</summary>
/// <param name="Metadata">The stored snapshot's identity.</param>
public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata);
