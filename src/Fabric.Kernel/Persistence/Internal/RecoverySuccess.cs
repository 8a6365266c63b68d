namespace Fabric.Kernel.Persistence.Internal;

/// <summary>INTERNAL API. Replay finished; <paramref name="HighestSequenceNr"/> is the highest number ever stored for the id.</summary>
internal sealed record RecoverySuccess(int InstanceId, long HighestSequenceNr) : IPersistenceInternalMessage;
