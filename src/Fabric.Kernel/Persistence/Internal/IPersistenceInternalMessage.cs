namespace Fabric.Kernel.Persistence.Internal;

/// <summary>
/// INTERNAL API. A journal or snapshot-store response sent to a persistent actor by itself; it carries the instance id of
/// the incarnation that asked, and any other incarnation ignores it (actor-semantics §6).
/// </summary>
internal interface IPersistenceInternalMessage
{
    /// <summary>The incarnation the response belongs to.</summary>
    int InstanceId { get; }
}
