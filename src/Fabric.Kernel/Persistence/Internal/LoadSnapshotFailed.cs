namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. The snapshot store threw while loading: recovery fails.</summary>
internal sealed record LoadSnapshotFailed(int InstanceId, Exception Cause) : IPersistenceInternalMessage;
