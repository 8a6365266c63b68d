using System.Diagnostics;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Datapath.Persistence.Proto;
using FlowsDeletedEvent = Fabric.Actors.Datapath.Persistence.Proto.FlowsDeleted;
using FlowsDeleted = Fabric.Actors.Datapath.DatapathProtocol.FlowsDeleted;
using Fabric.Actors.Diagnostics;
using Fabric.Datapath.Megaflows;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;
using static Fabric.Actors.Datapath.DatapathProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Datapath;

/// <summary>
/// The single owner of forwarding state (DESIGN.md "The control plane"): it alone installs, modifies and
/// deletes megaflows and numbers ports, and it journals every such change so a restarted process comes back
/// warm. The fast-path object it drives is created outside the actor and handed in through <see cref="Props"/>,
/// so no restart of this actor (or of any other control actor) clears the live tables the poll threads read.
/// </summary>
/// <remarks>
/// <para>The live table leads and the journal follows: a change is applied at once and persisted with
/// <c>PersistAsync</c> (group-committed with everything else in flight), so a journal write never delays
/// forwarding; after SIGKILL at most the last unflushed batch is lost, which costs only upcalls.</para>
/// <para>Recovery: the first incarnation in a process replays snapshot + events into the (empty) live table
/// before any port is polled. A later incarnation — restarted by its backoff supervisor after a journal failure,
/// or after a crash — finds the live table intact, replays only the port numbering, and then saves a snapshot
/// of the live table, which brings the journal up to date with whatever it missed.</para>
/// </remarks>
public sealed class DatapathActor : ReceivePersistentActor
{
    private readonly DatapathEngine _datapath;
    private readonly DatapathPersistenceSettings _settings;
    private readonly LiveTableState _live;
    private readonly Dictionary<string, ushort> _portNumbers = new(StringComparer.Ordinal);
    private readonly Stopwatch _recoveryClock = Stopwatch.StartNew();
    private readonly bool _restoring;
    private readonly List<IActorRef> _pendingCheckpoints = new();
    private IActorRef? _pendingCleanup;
    private long _installed;
    private long _deleted;
    private long _limitRefused;
    private long _eventsSinceSnapshot;
    private long _snapshotSequenceNr;
    private DateTime? _lastSnapshotAt;
    private bool _snapshotInFlight;
    private int _restoredFlows;
    private TimeSpan _recoveryTime;

    /// <summary>Creates the actor around an existing datapath.</summary>
    public DatapathActor(DatapathEngine datapath, DatapathPersistenceSettings settings, LiveTableState live)
    {
        _datapath = datapath;
        _settings = settings;
        _live = live;
        _restoring = !live.Restored;

        Recover<SnapshotOffer>(OnSnapshotOffer);
        Recover<FlowInstalled>(e => { if (_restoring) { Restore(e); } });
        Recover<FlowModified>(e => { if (_restoring) { ReplayModify(e); } });
        Recover<FlowsDeletedEvent>(e => { if (_restoring) { ReplayDelete(e); } });
        Recover<FlowsCleared>(_ => { if (_restoring) { _datapath.Flows.Clear(); } });
        Recover<PortNumbered>(e => _portNumbers[e.Name] = (ushort)e.PortNo);
        Recover<RecoveryCompleted>(_ => OnRecoveryCompleted());

        Command<InstallFlow>(Install);
        Command<ModifyFlow>(Modify);
        Command<DeleteFlows>(m => Delete(m.Flows));
        Command<DeleteFlowsWhere>(m => Delete(_datapath.Flows.Snapshot().Where(m.Predicate).ToList()));
        Command<DeleteAllFlows>(_ => Reply(ClearAll()));
        Command<AddPort>(AddPortHandler);
        Command<AwaitRecovery>(_ => Sender.Tell(new Recovered(_restoredFlows, LastSequenceNr, _recoveryTime), Self));
        Command<Checkpoint>(_ => CheckpointHandler());
        Command<Cleanup>(_ => CleanupHandler());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(OnSnapshotFailed);
        Command<DeleteMessagesSuccess>(_ => FinishCleanup(null));
        Command<DeleteMessagesFailure>(f => FinishCleanup(f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<GetCounters>(_ => Sender.Tell(new DatapathCounters(_installed, _deleted, _limitRefused), Self));
        Command<GetPersistenceStatus>(_ => Sender.Tell(
            new PersistenceStatus(PersistenceId, LastSequenceNr, _snapshotSequenceNr, _lastSnapshotAt, _eventsSinceSnapshot, _restoredFlows, _recoveryTime), Self));
        Command<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <inheritdoc />
    public override string PersistenceId => _settings.PersistenceId;

    /// <summary>Props for a datapath actor around <paramref name="datapath"/>.</summary>
    public static Props Props(DatapathEngine datapath, DatapathPersistenceSettings settings, LiveTableState live) =>
        Fabric.Kernel.Actor.Props.Create(() => new DatapathActor(datapath, settings, live));

    private void OnSnapshotOffer(SnapshotOffer offer)
    {
        var snapshot = (DatapathSnapshot)offer.Snapshot;
        _snapshotSequenceNr = offer.Metadata.SequenceNr;
        foreach (var p in snapshot.Ports)
        {
            _portNumbers[p.Name] = (ushort)p.PortNo;
        }

        if (_restoring)
        {
            _datapath.Flows.Clear();
            foreach (var f in snapshot.Flows)
            {
                var flow = Restore(f);
                flow?.RestoreStatistics((long)f.Packets, (long)f.Bytes, f.LastUsedMs, 0);
            }
        }
    }

    private Megaflow? Restore(FlowInstalled e)
    {
        var flows = _datapath.Flows;
        if (flows.Count >= flows.FlowLimit && flows.Find(FlowCodec.ReadKey(e.Key), FlowCodec.ReadMask(e.Mask)) is null)
        {
            _limitRefused++;
            return null;
        }

        return flows.Install(FlowCodec.ReadKey(e.Key), FlowCodec.ReadMask(e.Mask), FlowCodec.ReadActions(e.Actions), FlowCodec.RestoreOwner(e.Owner));
    }

    private void ReplayModify(FlowModified e)
    {
        if (_datapath.Flows.Find(FlowCodec.ReadKey(e.Key), FlowCodec.ReadMask(e.Mask)) is { } flow)
        {
            _datapath.Flows.ModifyActions(flow, FlowCodec.ReadActions(e.Actions));
        }
    }

    private void ReplayDelete(FlowsDeletedEvent e)
    {
        foreach (var r in e.Flows)
        {
            if (_datapath.Flows.Find(FlowCodec.ReadKey(r.Key), FlowCodec.ReadMask(r.Mask)) is { } flow)
            {
                _datapath.Flows.Remove(flow);
            }
        }
    }

    private void OnRecoveryCompleted()
    {
        _recoveryTime = _recoveryClock.Elapsed;
        if (_restoring)
        {
            _restoredFlows = _datapath.Flows.Count;
            _live.Restored = true;
            Context.System.Log.Info($"datapath: restored {_restoredFlows} megaflows and {_portNumbers.Count} port numbers from the journal (sequence {LastSequenceNr}) in {_recoveryTime.TotalMilliseconds:F0} ms");
        }
        else
        {
            // A later incarnation: the live table is the truth; bring the journal up to date with it.
            Context.System.Log.Info($"datapath: live table kept ({_datapath.Flows.Count} megaflows); saving a snapshot to catch the journal up");
            TakeSnapshot();
        }
    }

    private void Install(InstallFlow m)
    {
        var flows = _datapath.Flows;
        if (flows.Count >= flows.FlowLimit && flows.Find(m.Key.Masked(m.Mask), m.Mask) is null)
        {
            // OVS: at the flow limit the packet is still handled but no flow is installed (ovs-facts §3.3).
            _limitRefused++;
            return;
        }

        flows.Install(m.Key, m.Mask, m.Actions, m.Owner);
        _installed++;
        Journal(FlowCodec.ToEvent(m.Key, m.Mask, m.Actions, m.Owner));
    }

    private void Modify(ModifyFlow m)
    {
        if (!m.Flow.IsLive)
        {
            return;
        }

        _datapath.Flows.ModifyActions(m.Flow, m.Actions);
        var e = new FlowModified();
        FlowCodec.Write(m.Flow.Key, e.Key);
        FlowCodec.Write(m.Flow.Mask, e.Mask);
        FlowCodec.Write(m.Actions, e.Actions);
        Journal(e);
    }

    private void Delete(IReadOnlyList<Megaflow> flows)
    {
        var e = new FlowsDeletedEvent();
        foreach (var f in flows)
        {
            if (_datapath.Flows.Remove(f))
            {
                e.Flows.Add(FlowCodec.ToRef(f));
            }
        }

        _deleted += e.Flows.Count;
        if (e.Flows.Count > 0)
        {
            Journal(e);
        }

        Reply(e.Flows.Count);
    }

    private int ClearAll()
    {
        var n = _datapath.Flows.Count;
        _datapath.Flows.Clear();
        _deleted += n;
        Journal(new FlowsCleared());
        return n;
    }

    private void Reply(int deleted)
    {
        if (!Sender.Equals(Context.System.DeadLetters))
        {
            Sender.Tell(new FlowsDeleted(deleted), Self);
        }
    }

    private void Journal(object e)
    {
        PersistAsync(e, _ => { });
        if (++_eventsSinceSnapshot >= _settings.SnapshotEvery && !_snapshotInFlight)
        {
            TakeSnapshot();
        }
    }

    private void AddPortHandler(AddPort m)
    {
        var requested = m.RequestedPortNo != 0 ? m.RequestedPortNo : _portNumbers.GetValueOrDefault(m.Port.Name);
        ushort no;
        try
        {
            no = _datapath.AddPort(m.Port, requested);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Sender.Tell(new Status.Failure(e), Self);
            return;
        }

        var sender = Sender;
        if (_portNumbers.TryGetValue(m.Port.Name, out var known) && known == no)
        {
            sender.Tell(new PortAdded(m.Port.Name, no), Self);
            return;
        }

        _portNumbers[m.Port.Name] = no;
        Persist(new PortNumbered { Name = m.Port.Name, PortNo = no }, _ => sender.Tell(new PortAdded(m.Port.Name, no), Self));
    }

    private void CheckpointHandler()
    {
        _pendingCheckpoints.Add(Sender);

        // Runs after every pending PersistAsync has been written.
        DeferAsync(new Checkpoint(), _ =>
        {
            if (!_snapshotInFlight)
            {
                TakeSnapshot();
            }
        });
    }

    private void CleanupHandler()
    {
        _pendingCleanup = Sender;
        ClearAll();
        DeferAsync(new Cleanup(), _ => TakeSnapshot());
    }

    private void TakeSnapshot()
    {
        var snapshot = new DatapathSnapshot();
        foreach (var (name, no) in _portNumbers)
        {
            snapshot.Ports.Add(new PortNumbered { Name = name, PortNo = no });
        }

        foreach (var f in _datapath.Flows.Snapshot())
        {
            snapshot.Flows.Add(FlowCodec.ToEvent(f, withStats: true));
        }

        _snapshotInFlight = true;
        SaveSnapshot(snapshot);
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess s)
    {
        _snapshotInFlight = false;
        _snapshotSequenceNr = s.Metadata.SequenceNr;
        _lastSnapshotAt = s.Metadata.Timestamp;
        _eventsSinceSnapshot = 0;

        // Compaction: the snapshot holds everything up to its sequence number.
        DeleteMessages(s.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        foreach (var waiter in _pendingCheckpoints)
        {
            waiter.Tell(new Checkpointed(s.Metadata.SequenceNr, null), Self);
        }

        _pendingCheckpoints.Clear();
    }

    private void OnSnapshotFailed(SaveSnapshotFailure f)
    {
        _snapshotInFlight = false;
        Context.System.Log.Warning($"datapath: snapshot at sequence {f.Metadata.SequenceNr} failed: {f.Cause.Message}");
        foreach (var waiter in _pendingCheckpoints)
        {
            waiter.Tell(new Checkpointed(f.Metadata.SequenceNr, f.Cause.Message), Self);
        }

        _pendingCheckpoints.Clear();
        FinishCleanup(f.Cause.Message);
    }

    private void FinishCleanup(string? error)
    {
        if (_pendingCleanup is { } waiter)
        {
            _pendingCleanup = null;
            waiter.Tell(new Checkpointed(LastSequenceNr, error), Self);
        }
    }
}
