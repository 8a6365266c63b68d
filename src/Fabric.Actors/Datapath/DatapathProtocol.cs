using Fabric.Actors.Shards;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Ports;

namespace Fabric.Actors.Datapath;

/// <summary>
/// Messages understood by <see cref="DatapathActor"/>, the only writer of the megaflow table and of the
/// datapath's port numbering (DESIGN.md "The control plane"). Every message is data: flows are named by their
/// match (<see cref="FlowMatch"/>), never by a predicate or an object of another actor.
/// </summary>
public static class DatapathProtocol
{
    /// <summary>
    /// The outcome of one upcall (OVS handler: install and execute in one step): install the megaflow (or leave
    /// an identical one alone), then execute <paramref name="Actions"/> on the missed packet. The sender, when
    /// there is one, gets <see cref="InstallDone"/> once the flow is in the table.
    /// </summary>
    /// <param name="Key">The upcall's unmasked flow key (masked on install).</param>
    /// <param name="Mask">Megaflow mask: the fields translation consulted.</param>
    /// <param name="Actions">Datapath actions.</param>
    /// <param name="Owner">Control-plane tag kept on the megaflow and journaled with it.</param>
    /// <param name="InPort">Datapath port the packet arrived on.</param>
    /// <param name="Packet">The missed frame; empty = install only.</param>
    public sealed record InstallFlow(FlowKey Key, FlowMask Mask, DatapathActions Actions, MegaflowOwner? Owner, ushort InPort, ReadOnlyMemory<byte> Packet);

    /// <summary>Reply to <see cref="InstallFlow"/>: the flow is installed (or was refused at the flow limit).</summary>
    /// <param name="Match">The megaflow's match.</param>
    /// <param name="Installed">False when the flow limit refused it (the packet was still executed).</param>
    public sealed record InstallDone(FlowMatch Match, bool Installed);

    /// <summary>
    /// The outcomes of several upcalls in one message (what a flow-table shard translated in one drain of its
    /// inbox): each is handled exactly as an <see cref="InstallFlow"/>, in order, and the sender, when there is
    /// one, gets one <see cref="InstallsDone"/> for all of them. One message per batch instead of two per flow is
    /// what lets the slow path set up flows at a rate near the datapath actor's own install cost.
    /// </summary>
    /// <param name="Installs">The installs, in the order the upcalls were taken.</param>
    public sealed record InstallFlows(IReadOnlyList<InstallFlow> Installs);

    /// <summary>Reply to <see cref="InstallFlows"/>: one <see cref="InstallDone"/> per install, in the same order.</summary>
    /// <param name="Done">The outcomes.</param>
    public sealed record InstallsDone(IReadOnlyList<InstallDone> Done);

    /// <summary>Execute actions on a packet without installing anything (an upcall for a megaflow whose install is pending).</summary>
    /// <param name="InPort">Datapath port the packet arrived on.</param>
    /// <param name="Packet">The frame.</param>
    /// <param name="Actions">Datapath actions.</param>
    public sealed record ExecutePacket(ushort InPort, ReadOnlyMemory<byte> Packet, DatapathActions Actions);

    /// <summary>Replace an installed megaflow's actions in place (revalidation found them stale). Unknown flows are ignored.</summary>
    public sealed record ModifyFlow(FlowMatch Match, DatapathActions Actions);

    /// <summary>Delete these megaflows (revalidation: idle or stale). Answered with <see cref="FlowsDeleted"/> when a sender exists.</summary>
    public sealed record DeleteFlows(IReadOnlyList<FlowMatch> Flows);

    /// <summary>
    /// MAC learning changed on a bridge (learned, moved, aged out): delete the megaflows of that bridge's
    /// <paramref name="Ports"/> that used the addresses, found through the datapath actor's MAC index, not a scan.
    /// Answered with <see cref="FlowsDeleted"/> when a sender exists.
    /// </summary>
    /// <param name="Ports">The bridge's datapath ports (flows are matched by in_port).</param>
    /// <param name="Changes">The addresses and what to invalidate for each.</param>
    /// <param name="Bridge">The bridge whose MAC table changed, or null when the change is not stamped.</param>
    /// <param name="Epoch">That MAC table's epoch (<see cref="Bridge.MacTableView.Epoch"/>).</param>
    /// <param name="Version">The table's version with these changes applied: an install whose owner was translated at
    /// an older version of the same epoch, and whose flow these changes would delete, arrives stale and is executed
    /// but not installed (<see cref="DatapathCounters.StaleRefused"/>).</param>
    public sealed record InvalidateMacs(IReadOnlyList<ushort> Ports, IReadOnlyList<MacInvalidation> Changes, string? Bridge = null, long Epoch = 0, long Version = 0);

    /// <summary>Delete every megaflow whose in_port is one of <paramref name="Ports"/> (fdb/flush of a bridge). Answered with <see cref="FlowsDeleted"/>.</summary>
    public sealed record DeletePortFlows(IReadOnlyList<ushort> Ports);

    /// <summary>
    /// Delete every megaflow whose in_port is not a datapath port any more (a restored flow of a port the
    /// configuration no longer has: nothing can hit it and no shard owns it). Answered with <see cref="FlowsDeleted"/>.
    /// </summary>
    public sealed record DeleteOrphanFlows;

    /// <summary>Delete every megaflow (dpctl/del-flows). Answered with <see cref="FlowsDeleted"/>.</summary>
    public sealed record DeleteAllFlows;

    /// <summary>Reply: how many megaflows were deleted.</summary>
    public sealed record FlowsDeleted(int Count);

    /// <summary>Attach an opened port; answered with <see cref="PortAdded"/> or <c>Status.Failure</c>.</summary>
    /// <param name="Port">The opened port (ownership passes to the datapath).</param>
    /// <param name="RequestedPortNo">Datapath port number wanted, 0 = the one journaled for this name, else the lowest free.</param>
    public sealed record AddPort(IDatapathPort Port, ushort RequestedPortNo);

    /// <summary>Reply: the port's datapath number.</summary>
    public sealed record PortAdded(string Name, ushort PortNo);

    /// <summary>
    /// Detach datapath port <paramref name="PortNo"/> (a tunnel port whose peer left the cluster): its megaflows are
    /// deleted, the port leaves the datapath once every poll thread has let go of it, and it is disposed. Its number
    /// stays journaled for its name, so the same port coming back gets the same number. Answered with
    /// <see cref="PortRemoved"/>.
    /// </summary>
    public sealed record RemovePort(ushort PortNo);

    /// <summary>Reply: the port is gone (<paramref name="Existed"/> false when there was no such port), with the megaflows deleted.</summary>
    public sealed record PortRemoved(ushort PortNo, bool Existed, int FlowsDeleted);

    /// <summary>Answered with <see cref="Recovered"/> once recovery has finished (commands wait until then).</summary>
    public sealed record AwaitRecovery;

    /// <summary>Reply: recovery finished.</summary>
    /// <param name="RestoredFlows">Megaflows put back into the live table from the journal (0 when the table was already live).</param>
    /// <param name="SequenceNr">Highest journal sequence number.</param>
    /// <param name="Duration">Time from actor start to recovery completed.</param>
    public sealed record Recovered(int RestoredFlows, long SequenceNr, TimeSpan Duration);

    /// <summary>
    /// Graceful exit: journal every pending change, wait for the writes, then save a snapshot of the live table
    /// so the next start recovers quickly. Answered with <see cref="Checkpointed"/>.
    /// </summary>
    public sealed record Checkpoint;

    /// <summary>Reply to <see cref="Checkpoint"/> and <see cref="Cleanup"/>: the snapshot's sequence number, or the error.</summary>
    public sealed record Checkpointed(long SequenceNr, string? Error);

    /// <summary>
    /// <c>exit --cleanup</c>: delete every megaflow, then their persisted copy (journal events and snapshots).
    /// Answered with <see cref="Checkpointed"/>.
    /// </summary>
    public sealed record Cleanup;

    /// <summary>
    /// A restart hands the node over to a successor process: journal every pending change, save a snapshot of the live
    /// table, then stop writing to the journal (the successor recovers from that snapshot and becomes its only writer).
    /// Installs and deletes still reach the live table meanwhile, unjournaled: the successor would only miss them as
    /// upcalls. Answered with <see cref="HandedOver"/>. <see cref="ResumeJournal"/> undoes it (the successor failed).
    /// </summary>
    public sealed record HandOver;

    /// <summary>Reply to <see cref="HandOver"/>: the snapshot's sequence number, or the error (then nothing was suspended).</summary>
    public sealed record HandedOver(long SequenceNr, string? Error);

    /// <summary>The successor did not take over: journal again, starting with a snapshot of the live table. No reply.</summary>
    public sealed record ResumeJournal;

    /// <summary>Ask for the persistence status (persistence/show); answered with <see cref="PersistenceStatus"/>.</summary>
    public sealed record GetPersistenceStatus;

    /// <summary>Reply: journal position, last snapshot, recovery and write figures as the datapath actor sees them.</summary>
    /// <param name="PersistenceId">The actor's persistence id.</param>
    /// <param name="LastSequenceNr">Highest sequence number written.</param>
    /// <param name="SnapshotSequenceNr">Sequence number of the last snapshot saved or recovered (0 = none).</param>
    /// <param name="LastSnapshotAt">When the last snapshot was saved (null = none this run).</param>
    /// <param name="ChangesSinceSnapshot">Flow changes journaled since that snapshot.</param>
    /// <param name="RestoredFlows">Megaflows restored at start.</param>
    /// <param name="RecoveryTime">Duration of the last recovery.</param>
    /// <param name="Journal">Journal write figures since the process started.</param>
    public sealed record PersistenceStatus(
        string PersistenceId,
        long LastSequenceNr,
        long SnapshotSequenceNr,
        DateTime? LastSnapshotAt,
        long ChangesSinceSnapshot,
        int RestoredFlows,
        TimeSpan RecoveryTime,
        JournalFigures Journal);

    /// <summary>Journal write figures of the datapath actor (all incarnations of this process).</summary>
    /// <param name="Events">Events written (each holds a batch of flow changes).</param>
    /// <param name="Changes">Flow changes (installs, modifications, deletes) in those events.</param>
    /// <param name="Pending">Changes applied to the live table but not yet confirmed by the journal.</param>
    /// <param name="Failures">Journal writes that failed (each stopped an incarnation).</param>
    /// <param name="LastWriteMs">Latency of the last write, from the change to the journal's confirmation (ms).</param>
    /// <param name="AverageWriteMs">Average of that latency over every write (ms).</param>
    /// <param name="MaxWriteMs">The longest of those latencies (ms): how far the journal has lagged the live table at worst.</param>
    public sealed record JournalFigures(long Events, long Changes, long Pending, long Failures, double LastWriteMs, double AverageWriteMs, double MaxWriteMs);

    /// <summary>
    /// Publish a new version of a bond's forwarding state (from its bond actor): bucket outputs, active member, member
    /// states and input rule (ovs-facts §1.2–§1.8). Applied to the datapath's bond table at once, so bond outputs of
    /// installed megaflows follow it without revalidation, and journaled with the flow changes. Answered with
    /// <see cref="BondSet"/> when a sender exists.
    /// </summary>
    /// <param name="BondId">Bond id (1..65535), named by bond output actions.</param>
    /// <param name="Name">Bond port name.</param>
    /// <param name="Mode">Configured mode.</param>
    /// <param name="Outputs">256 datapath ports, one per hash bucket (0 = drop).</param>
    /// <param name="ActiveMember">The active member's datapath port (0 = none).</param>
    /// <param name="Members">Every member and its state.</param>
    /// <param name="InputRule">Which frames are accepted from members.</param>
    /// <param name="AllMembersActive">balance-slb: broadcast accepted on every member.</param>
    public sealed record SetBond(ushort BondId, string Name, BondMode Mode, IReadOnlyList<ushort> Outputs, ushort ActiveMember, IReadOnlyList<BondMember> Members, BondInputRule InputRule, bool AllMembersActive);

    /// <summary>Reply to <see cref="SetBond"/>: the bond's map is live.</summary>
    public sealed record BondSet(ushort BondId);

    /// <summary>Ask for counters; answered with <see cref="DatapathCounters"/>.</summary>
    public sealed record GetCounters;

    /// <summary>Reply: control-plane counters of the datapath actor.</summary>
    /// <param name="Installed">Megaflows installed (or replaced) since start.</param>
    /// <param name="Deleted">Megaflows deleted since start.</param>
    /// <param name="LimitRefused">Installs refused because the flow limit was reached.</param>
    /// <param name="PacketsExecuted">Packet-outs executed for upcalls.</param>
    /// <param name="StaleRefused">Installs translated before a MAC change that had already invalidated their flow: executed, not installed.</param>
    public sealed record DatapathCounters(long Installed, long Deleted, long LimitRefused, long PacketsExecuted, long StaleRefused);
}
