using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Ports;

namespace Fabric.Actors.Datapath;

/// <summary>
/// Messages understood by <see cref="DatapathActor"/>, the only writer of the megaflow table and of
/// the datapath's port numbering (DESIGN.md "The control plane").
/// </summary>
public static class DatapathProtocol
{
    /// <summary>Install (or replace the actions of) a megaflow. Not answered; failures are counted.</summary>
    /// <param name="Key">Flow key as the upcall saw it (masked on install).</param>
    /// <param name="Mask">Megaflow mask: the fields translation consulted.</param>
    /// <param name="Actions">Datapath actions.</param>
    /// <param name="Owner">Control-plane tag kept on the megaflow (which bridge and shard, at what table version).</param>
    public sealed record InstallFlow(FlowKey Key, FlowMask Mask, DatapathActions Actions, object? Owner);

    /// <summary>Replace an installed megaflow's actions in place (revalidation found them stale).</summary>
    public sealed record ModifyFlow(Megaflow Flow, DatapathActions Actions);

    /// <summary>Delete these megaflows (revalidation: idle or stale). Answered with <see cref="FlowsDeleted"/> when a sender exists.</summary>
    public sealed record DeleteFlows(IReadOnlyList<Megaflow> Flows);

    /// <summary>Delete every megaflow the predicate selects (MAC moves, fdb/flush). Answered with <see cref="FlowsDeleted"/>.</summary>
    public sealed record DeleteFlowsWhere(Func<Megaflow, bool> Predicate, string Reason);

    /// <summary>Delete every megaflow (dpctl/del-flows). Answered with <see cref="FlowsDeleted"/>.</summary>
    public sealed record DeleteAllFlows;

    /// <summary>Reply: how many megaflows were deleted.</summary>
    public sealed record FlowsDeleted(int Count);

    /// <summary>Attach an opened port; answered with <see cref="PortAdded"/> or <c>Status.Failure</c>.</summary>
    /// <param name="Port">The opened port (ownership passes to the datapath).</param>
    /// <param name="RequestedPortNo">Datapath port number wanted, 0 = lowest free.</param>
    public sealed record AddPort(IDatapathPort Port, ushort RequestedPortNo);

    /// <summary>Reply: the port's datapath number.</summary>
    public sealed record PortAdded(string Name, ushort PortNo);

    /// <summary>Answered with <see cref="Recovered"/> once recovery has finished (commands wait until then).</summary>
    public sealed record AwaitRecovery;

    /// <summary>Reply: recovery finished.</summary>
    /// <param name="RestoredFlows">Megaflows put back into the live table from the journal (0 when the table was already live).</param>
    /// <param name="SequenceNr">Highest journal sequence number.</param>
    /// <param name="Duration">Time from actor start to recovery completed.</param>
    public sealed record Recovered(int RestoredFlows, long SequenceNr, TimeSpan Duration);

    /// <summary>
    /// Graceful exit: wait for every pending journal write, then save a snapshot of the live table so the next
    /// start recovers quickly. Answered with <see cref="Checkpointed"/>.
    /// </summary>
    public sealed record Checkpoint;

    /// <summary>Reply to <see cref="Checkpoint"/> and <see cref="Cleanup"/>: the snapshot's sequence number, or the error.</summary>
    public sealed record Checkpointed(long SequenceNr, string? Error);

    /// <summary>
    /// <c>exit --cleanup</c>: delete every megaflow, then their persisted copy (journal events and snapshots).
    /// Answered with <see cref="Checkpointed"/>.
    /// </summary>
    public sealed record Cleanup;

    /// <summary>Ask for the persistence status (persistence/show); answered with <see cref="PersistenceStatus"/>.</summary>
    public sealed record GetPersistenceStatus;

    /// <summary>Reply: journal position, last snapshot and recovery figures of the datapath actor.</summary>
    /// <param name="PersistenceId">The actor's persistence id.</param>
    /// <param name="LastSequenceNr">Highest sequence number written.</param>
    /// <param name="SnapshotSequenceNr">Sequence number of the last snapshot saved or recovered (0 = none).</param>
    /// <param name="LastSnapshotAt">When the last snapshot was saved (null = none this run).</param>
    /// <param name="EventsSinceSnapshot">Events written since that snapshot.</param>
    /// <param name="RestoredFlows">Megaflows restored at start.</param>
    /// <param name="RecoveryTime">Duration of the last recovery.</param>
    public sealed record PersistenceStatus(string PersistenceId, long LastSequenceNr, long SnapshotSequenceNr, DateTime? LastSnapshotAt, long EventsSinceSnapshot, int RestoredFlows, TimeSpan RecoveryTime);

    /// <summary>Ask for counters; answered with <see cref="DatapathCounters"/>.</summary>
    public sealed record GetCounters;

    /// <summary>Reply: control-plane counters of the datapath actor.</summary>
    /// <param name="Installed">Megaflows installed (or replaced) since start.</param>
    /// <param name="Deleted">Megaflows deleted since start.</param>
    /// <param name="LimitRefused">Installs refused because the flow limit was reached.</param>
    public sealed record DatapathCounters(long Installed, long Deleted, long LimitRefused);
}
