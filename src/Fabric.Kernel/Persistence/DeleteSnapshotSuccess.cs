namespace Fabric.Kernel.Persistence;

/// <summary>Arrives as a command after <c>DeleteSnapshot</c> deleted one snapshot.</summary>
/// <param name="Metadata">The deleted snapshot (timestamp unspecified).</param>
public sealed record DeleteSnapshotSuccess(SnapshotMetadata Metadata);
