namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. Periodic check (every recovery-event-timeout) that recovery made progress since the previous tick.</summary>
internal sealed record RecoveryTick(int InstanceId) : IPersistenceInternalMessage;
