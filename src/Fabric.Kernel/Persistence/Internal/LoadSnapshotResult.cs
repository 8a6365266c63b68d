namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. Recovery step 2 finished: the selected snapshot, or <see langword="null"/> when there is none.</summary>
internal sealed record LoadSnapshotResult(int InstanceId, SelectedSnapshot? Snapshot) : IPersistenceInternalMessage;
