namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. The journal threw while replaying or reading the highest sequence number: recovery fails.</summary>
internal sealed record ReplayFailed(int InstanceId, Exception Cause) : IPersistenceInternalMessage;
