namespace Fabric.Kernel.Persistence;

/// <summary>A snapshot row as loaded from a snapshot store: metadata plus the serialized state.</summary>
/// <param name="Metadata">Which snapshot.</param>
/// <param name="Manifest">Payload type and schema version.</param>
/// <param name="Payload">Serialized snapshot bytes.</param>
public sealed record SelectedSnapshot(SnapshotMetadata Metadata, string Manifest, ReadOnlyMemory<byte> Payload);
