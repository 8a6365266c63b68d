using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Actors.Diagnostics;
using Fabric.Datapath.Megaflows;
using static Fabric.Actors.Datapath.DatapathProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;
using FlowsDeletedEvent = Fabric.Actors.Datapath.Persistence.Proto.FlowsDeleted;

namespace Fabric.Actors.Datapath;

/// <summary>
/// The single owner of forwarding state (DESIGN.md "The control plane"): it alone installs, modifies and deletes
/// megaflows and numbers ports, and it journals every such change (Akka.Persistence) so a restarted process comes
/// back warm. The fast-path object it drives is created outside the actor and handed in through
/// <see cref="Props"/>, so no restart of this actor (or of any other control actor) clears the live table the poll
/// threads read.
/// </summary>
/// <remarks>
/// <para>The live table leads and the journal follows: a change is applied at once and collected into a
/// <see cref="FlowBatch"/>; the batch is journaled with <c>PersistAsync</c> when the actor has handled every message
/// that was already waiting (it sends itself a flush message) and no earlier batch is still being written (group
/// commit: while the journal writes one event, the next collects every change made meanwhile), so a burst of
/// installs becomes a few events, and a journal write never delays forwarding or a packet-out. After SIGKILL at most the batches not yet written are lost, which costs
/// only upcalls.</para>
/// <para>Recovery: the first incarnation in a process replays snapshot + events into the (empty) live table before
/// any port is polled. A later incarnation — after a journal failure stopped the previous one and the backoff
/// supervisor (<see cref="SupervisedProps"/>) started this one — finds the live table intact, replays only the port
/// numbering, and then saves a snapshot of the live table, which brings the journal up to date with what it
/// missed.</para>
/// </remarks>
public sealed class DatapathActor : ReceivePersistentActor, IWithTimers
{
    private const string SnapshotTimer = "snapshot";
    private readonly DatapathEngine _datapath;
    private readonly DatapathPersistenceSettings _settings;
    private readonly LiveTableState _live;
    private readonly bool _restoring;
    private readonly Dictionary<string, ushort> _portNumbers = new(StringComparer.Ordinal);
    private readonly MacFlowIndex _macIndex = new();
    private readonly MacChangeLog _macChanges = new();
    private readonly Stopwatch _recoveryClock = Stopwatch.StartNew();
    private readonly List<(IActorRef Waiter, long SequenceNr)> _pendingCheckpoints = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<Megaflow> _scratch = new();
    private FlowBatch? _batch;
    private long _batchStarted;
    private bool _flushQueued;
    private long _pendingChanges;
    private int _writesInFlight;
    private long _changesSinceSnapshot;
    private long _snapshotSequenceNr;
    private DateTime? _lastSnapshotAt;
    private bool _snapshotInFlight;
    private TimeSpan _recoveryTime;
    private IActorRef? _cleanupWaiter;
    private IActorRef? _handOverWaiter;
    private bool _handedOver;
    private long _cleanupFromSequenceNr = -1;
    private long _cleanupDeleteTo = -1;

    /// <summary>Creates the actor around an existing datapath.</summary>
    /// <param name="datapath">The live datapath; its megaflow table and ports outlive this actor.</param>
    /// <param name="settings">Persistence id, snapshot policy and batch limit.</param>
    /// <param name="live">State shared by the incarnations of this actor in one process.</param>
    public DatapathActor(DatapathEngine datapath, DatapathPersistenceSettings settings, LiveTableState live)
    {
        _datapath = datapath;
        _settings = settings;
        _live = live;
        _restoring = !live.Restored;

        Recover<SnapshotOffer>(OnSnapshotOffer);
        Recover<FlowBatch>(b => { if (_restoring) { Replay(b); } });
        Recover<FlowInstalled>(e => { if (_restoring) { RestoreInstall(e); } });
        Recover<FlowModified>(e => { if (_restoring) { ReplayModify(e); } });
        Recover<FlowsDeletedEvent>(e => { if (_restoring) { ReplayDelete(e); } });
        Recover<FlowsCleared>(_ => { if (_restoring) { _datapath.Flows.Clear(); } });
        Recover<PortNumbered>(e => _portNumbers[e.Name] = (ushort)e.PortNo);
        Recover<RecoveryCompleted>(_ => OnRecoveryCompleted());

        Command<InstallFlow>(Install);
        Command<InstallFlows>(InstallBatch);
        Command<ExecutePacket>(m => Execute(m.InPort, m.Packet, m.Actions));
        Command<ModifyFlow>(Modify);
        Command<DeleteFlows>(m => Reply(DeleteMatches(m.Flows)));
        Command<InvalidateMacs>(m => Reply(Invalidate(m)));
        Command<DeletePortFlows>(m => Reply(DeleteInPorts(m.Ports)));
        Command<DeleteOrphanFlows>(_ => Reply(DeleteOrphans()));
        Command<DeleteAllFlows>(_ => Reply(ClearAll()));
        Command<AddPort>(AddPortHandler);
        Command<RemovePort>(RemovePortHandler);
        Command<SetBond>(SetBondHandler);
        Command<AwaitRecovery>(_ => Sender.Tell(new Recovered(_restoring ? _live.RestoredFlows : 0, LastSequenceNr, _recoveryTime)));
        Command<FlushJournal>(_ =>
        {
            _flushQueued = false;
            if (_writesInFlight == 0)
            {
                Flush();
            }
        });
        Command<SnapshotTick>(_ =>
        {
            if (_changesSinceSnapshot > 0 && !_snapshotInFlight && !_handedOver)
            {
                TakeSnapshot();
            }
        });
        Command<Checkpoint>(_ => CheckpointHandler());
        Command<HandOver>(_ => HandOverHandler());
        Command<ResumeJournal>(_ =>
        {
            if (_handedOver)
            {
                _handedOver = false;
                _log.Info("datapath: the successor did not take over; journaling again from a snapshot of the live table");
                TakeSnapshot();
            }
        });
        Command<Cleanup>(_ => CleanupHandler());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(OnSnapshotFailed);
        Command<DeleteMessagesSuccess>(OnMessagesDeleted);
        Command<DeleteMessagesFailure>(OnMessagesDeleteFailed);
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("datapath: deleting old snapshots failed: {0}", f.Cause.Message));
        Command<GetCounters>(_ => Sender.Tell(new DatapathCounters(_live.Installed, _live.Deleted, _live.LimitRefused, _live.PacketsExecuted, _live.StaleRefused)));
        Command<GetPersistenceStatus>(_ => Sender.Tell(Status()));
        Command<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <inheritdoc />
    public override string PersistenceId => _settings.PersistenceId;

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a datapath actor around <paramref name="datapath"/>.</summary>
    public static Props Props(DatapathEngine datapath, DatapathPersistenceSettings settings, LiveTableState live) =>
        Akka.Actor.Props.Create(() => new DatapathActor(datapath, settings, live));

    /// <summary>
    /// Props for the datapath actor under its backoff supervisor, as a node runs it: the supervisor forwards every
    /// message to the actor (child name <c>datapath</c>), resumes it when it throws (its table and indexes stay as
    /// they are), and starts a new incarnation <paramref name="minBackoff"/>..<paramref name="maxBackoff"/> after it
    /// stopped, which Akka.Persistence does on every journal failure.
    /// </summary>
    public static Props SupervisedProps(DatapathEngine datapath, DatapathPersistenceSettings settings, LiveTableState live, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor)
    {
        var options = Backoff.OnStop(Props(datapath, settings, live), "datapath", minBackoff, maxBackoff, randomFactor, maxNrOfRetries: -1)
            .WithSupervisorStrategy(new OneForOneStrategy(e => e is ActorInitializationException ? Directive.Stop : Directive.Resume));
        return BackoffSupervisor.Props(options);
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        if (_settings.SnapshotInterval > TimeSpan.Zero)
        {
            Timers.StartPeriodicTimer(SnapshotTimer, SnapshotTick.Instance, _settings.SnapshotInterval);
        }
    }

    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _live.WriteFailures++;
        _log.Warning("datapath: journal write {0} failed ({1}); the live table stays, a new incarnation will catch the journal up", sequenceNr, cause.Message);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _live.WriteFailures++;
        _log.Warning("datapath: journal rejected event {0} ({1}); its changes stay in the live table and reach the journal with the next snapshot", sequenceNr, cause.Message);
        if (@event is FlowBatch rejected)
        {
            OnWriteFinished(rejected.Changes.Count);
        }

        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <inheritdoc />
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Warning("datapath: recovery failed ({0}); the live table stays", reason.Message);
        base.OnRecoveryFailure(reason, message);
    }

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
                RestoreInstall(f)?.RestoreStatistics((long)f.Packets, (long)f.Bytes, f.LastUsedMs, 0);
            }

            foreach (var f in snapshot.States)
            {
                Restore(FlowCodec.ReadMatch(f.Match), f.Actions, f.Owner)?.RestoreStatistics((long)f.Packets, (long)f.Bytes, f.LastUsedMs, 0);
            }

            foreach (var b in snapshot.Bonds)
            {
                _datapath.Bonds.Publish(BondCodec.Read(b, _datapath.Bonds));
            }
        }
    }

    private void Replay(FlowBatch batch)
    {
        foreach (var c in batch.Changes)
        {
            switch (c.ChangeCase)
            {
                case FlowChange.ChangeOneofCase.Installed:
                    Restore(FlowCodec.ReadMatch(c.Installed.Match), c.Installed.Actions, c.Installed.Owner);
                    break;
                case FlowChange.ChangeOneofCase.Modified:
                    ApplyModify(FlowCodec.ReadMatch(c.Modified.Match), FlowCodec.ReadActions(c.Modified.Actions));
                    break;
                case FlowChange.ChangeOneofCase.Deleted:
                    RemoveByMatch(FlowCodec.ReadMatch(c.Deleted.Match));
                    break;
                case FlowChange.ChangeOneofCase.Cleared:
                    _datapath.Flows.Clear();
                    break;
                case FlowChange.ChangeOneofCase.Bond:
                    _datapath.Bonds.Publish(BondCodec.Read(c.Bond, _datapath.Bonds));
                    break;
            }
        }
    }

    private Megaflow? RestoreInstall(FlowInstalled e) => Restore(FlowCodec.ReadMatch(e.Key, e.Mask), e.Actions, e.Owner);

    private Megaflow? Restore(FlowMatch match, Google.Protobuf.Collections.RepeatedField<Persistence.Proto.Action> actions, FlowOwner? owner)
    {
        if (!_datapath.Flows.TryInstall(match.Key, match.Mask, FlowCodec.ReadActions(actions), FlowCodec.RestoreOwner(owner), out var flow, out _))
        {
            _live.LimitRefused++;
        }

        return flow;
    }

    private void ReplayModify(FlowModified e) => ApplyModify(FlowCodec.ReadMatch(e.Key, e.Mask), FlowCodec.ReadActions(e.Actions));

    /// <summary>Replay: replaces the actions of the flow <paramref name="match"/> names, if it is installed (nothing is journaled).</summary>
    private void ApplyModify(FlowMatch match, Fabric.Datapath.Actions.DatapathActions actions)
    {
        if (_datapath.Flows.Find(match.Key, match.Mask) is { } flow)
        {
            _datapath.Flows.ModifyActions(flow, actions);
        }
    }

    private void ReplayDelete(FlowsDeletedEvent e)
    {
        foreach (var r in e.Flows)
        {
            RemoveByMatch(FlowCodec.ReadMatch(r.Key, r.Mask));
        }
    }

    private void RemoveByMatch(FlowMatch match)
    {
        if (_datapath.Flows.Find(match.Key, match.Mask) is { } flow)
        {
            _datapath.Flows.Remove(flow);
        }
    }

    private void OnRecoveryCompleted()
    {
        _recoveryTime = _recoveryClock.Elapsed;
        _macIndex.Rebuild(_datapath.Flows.Snapshot());
        if (_restoring)
        {
            _live.Restored = true;
            _live.RestoredFlows = _datapath.Flows.Count;
            _live.RecoveryTime = _recoveryTime;
            _log.Info("datapath: restored {0} megaflows and {1} port numbers from the journal (sequence {2}) in {3:F0} ms", _live.RestoredFlows, _portNumbers.Count, LastSequenceNr, _recoveryTime.TotalMilliseconds);
        }
        else
        {
            // A later incarnation: the live table is the truth; bring the journal up to date with it.
            _log.Info("datapath: live table kept ({0} megaflows); saving a snapshot to catch the journal up", _datapath.Flows.Count);
            TakeSnapshot();
        }
    }

    private void Install(InstallFlow m)
    {
        var done = InstallOne(m);
        if (!Sender.IsNobody())
        {
            Sender.Tell(done);
        }
    }

    private void InstallBatch(InstallFlows m)
    {
        var done = new InstallDone[m.Installs.Count];
        for (var i = 0; i < done.Length; i++)
        {
            done[i] = InstallOne(m.Installs[i]);
        }

        if (!Sender.IsNobody())
        {
            Sender.Tell(new InstallsDone(done));
        }
    }

    /// <summary>Installs <paramref name="m"/>'s megaflow (journaling it when new) and executes its packet.</summary>
    private InstallDone InstallOne(InstallFlow m)
    {
        var match = FlowMatch.Of(m.Key, m.Mask);
        if (m.Owner is Shards.MegaflowOwner owner && _macChanges.Supersedes(m.Key, m.Mask, owner))
        {
            // Translated before a MAC change whose invalidation already ran: installing it now would outlive that
            // invalidation. The packet still goes where the translation said; the next one is translated afresh.
            _live.StaleRefused++;
            Execute(m.InPort, m.Packet, m.Actions);
            return new InstallDone(match, false);
        }

        var installed = _datapath.Flows.TryInstall(m.Key, m.Mask, m.Actions, m.Owner, out var flow, out var replaced);
        if (!installed)
        {
            // OVS: at the flow limit the packet is still handled but no flow is installed (ovs-facts §3.3).
            _live.LimitRefused++;
        }
        else if (replaced is null || !replaced.Equals(m.Actions))
        {
            // New, or new actions; a duplicate upcall that raced the first install changes and journals nothing.
            if (replaced is null)
            {
                _macIndex.Add(flow!);
            }

            _live.Installed++;
            Record(new FlowChange { Installed = FlowCodec.ToInstall(match, m.Actions, m.Owner) });
        }

        Execute(m.InPort, m.Packet, m.Actions);
        return new InstallDone(match, installed);
    }

    private void Execute(ushort inPort, ReadOnlyMemory<byte> packet, Fabric.Datapath.Actions.DatapathActions actions)
    {
        if (!packet.IsEmpty && !actions.IsDrop)
        {
            _datapath.Execute(inPort, packet.Span, actions);
            _live.PacketsExecuted++;
        }
    }

    private void Modify(ModifyFlow m)
    {
        if (_datapath.Flows.Find(m.Match.Key, m.Match.Mask) is not { } flow || flow.Actions.Equals(m.Actions))
        {
            return;
        }

        _datapath.Flows.ModifyActions(flow, m.Actions);
        var modified = new FlowModify { Match = FlowCodec.WriteMatch(m.Match) };
        FlowCodec.Write(m.Actions, modified.Actions);
        Record(new FlowChange { Modified = modified });
    }

    private int DeleteMatches(IReadOnlyList<FlowMatch> matches)
    {
        _scratch.Clear();
        foreach (var m in matches)
        {
            if (_datapath.Flows.Find(m.Key, m.Mask) is { } flow)
            {
                _scratch.Add(flow);
            }
        }

        return RemoveScratch();
    }

    private int Invalidate(InvalidateMacs m)
    {
        _macChanges.Record(m);
        _scratch.Clear();
        var candidates = new List<Megaflow>();
        foreach (var change in m.Changes)
        {
            candidates.Clear();
            _macIndex.Collect(change.Mac, change.Source, candidates);
            foreach (var f in candidates)
            {
                // Restored flows without an owner are invalidated whatever their VLAN: that only costs an upcall.
                if (Contains(m.Ports, f.Key.InPort) && (f.Owner is not Shards.MegaflowOwner o || o.Vlan == change.Vlan))
                {
                    _scratch.Add(f);
                }
            }
        }

        return RemoveScratch();
    }

    private int DeleteInPorts(IReadOnlyList<ushort> ports)
    {
        _scratch.Clear();
        foreach (var p in ports)
        {
            _datapath.Flows.CollectInPort(p, _scratch);
        }

        return RemoveScratch();
    }

    private int DeleteOrphans()
    {
        _scratch.Clear();
        var ports = _datapath.Ports;
        foreach (var inPort in _datapath.Flows.InPorts())
        {
            if (!ports.ContainsKey(inPort))
            {
                _datapath.Flows.CollectInPort(inPort, _scratch);
            }
        }

        var n = RemoveScratch();
        if (n > 0)
        {
            _log.Info("datapath: deleted {0} restored megaflows whose in_port no longer exists", n);
        }

        return n;
    }

    /// <summary>Removes every live flow in the scratch list (duplicates allowed) and journals the deletes; returns how many went.</summary>
    private int RemoveScratch()
    {
        var n = 0;
        foreach (var f in _scratch)
        {
            if (_datapath.Flows.Remove(f))
            {
                _macIndex.Remove(f);
                Record(new FlowChange { Deleted = new FlowDelete { Match = FlowCodec.WriteMatch(FlowMatch.Of(f)) } });
                n++;
            }
        }

        _scratch.Clear();
        _live.Deleted += n;
        return n;
    }

    private int ClearAll()
    {
        var n = _datapath.Flows.Count;
        _datapath.Flows.Clear();
        _macIndex.Clear();
        _live.Deleted += n;
        Record(new FlowChange { Cleared = new FlowsCleared() });
        return n;
    }

    private void Reply(int deleted)
    {
        if (!Sender.IsNobody())
        {
            Sender.Tell(new DatapathProtocol.FlowsDeleted(deleted));
        }
    }

    /// <summary>True when <paramref name="port"/> is among <paramref name="ports"/> (a bridge's few datapath ports: a scan, no set).</summary>
    internal static bool Contains(IReadOnlyList<ushort> ports, ushort port)
    {
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] == port)
            {
                return true;
            }
        }

        return false;
    }

    private void Record(FlowChange change)
    {
        if (_handedOver)
        {
            // The successor owns the journal now; the change is in the live table only.
            return;
        }

        if (_batch is null)
        {
            _batch = new FlowBatch();
            _batchStarted = Stopwatch.GetTimestamp();
        }

        _batch.Changes.Add(change);
        if (_batch.Changes.Count >= _settings.MaxChangesPerEvent)
        {
            Flush();
        }
        else if (_writesInFlight == 0)
        {
            QueueFlush();
        }

        // Else the batch grows until the journal has written the previous one (group commit, see OnWritten): under
        // a burst of flow setups each event then carries every change made while the last write took, instead of
        // one event (one journal round trip) per mailbox drain.
    }

    /// <summary>Journals the open batch once every message already in the mailbox is handled (one event per drain).</summary>
    private void QueueFlush()
    {
        if (!_flushQueued)
        {
            _flushQueued = true;
            Self.Tell(FlushJournal.Instance);
        }
    }

    /// <summary>A journal write finished (written, or rejected): the batch collected meanwhile goes next.</summary>
    private void OnWriteFinished(int changes)
    {
        _writesInFlight--;
        _pendingChanges -= changes;
        if (_writesInFlight == 0 && _batch is not null)
        {
            QueueFlush();
        }
    }

    private void Flush()
    {
        if (_batch is not { } batch)
        {
            return;
        }

        _batch = null;
        var changes = batch.Changes.Count;
        var started = _batchStarted;
        _pendingChanges += changes;
        _writesInFlight++;
        PersistAsync(batch, _ =>
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            OnWriteFinished(changes);
            _live.EventsWritten++;
            _live.ChangesWritten += changes;
            _live.LastWriteMs = ms;
            _live.MaxWriteMs = Math.Max(_live.MaxWriteMs, ms);
            _live.TotalWriteMs += ms;
        });
        _changesSinceSnapshot += changes;
        if (_changesSinceSnapshot >= _settings.SnapshotEvery && !_snapshotInFlight)
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
            Sender.Tell(new Status.Failure(e));
            return;
        }

        var sender = Sender;
        if (_portNumbers.TryGetValue(m.Port.Name, out var known) && known == no)
        {
            sender.Tell(new PortAdded(m.Port.Name, no));
            return;
        }

        _portNumbers[m.Port.Name] = no;
        Persist(new PortNumbered { Name = m.Port.Name, PortNo = no }, _ => sender.Tell(new PortAdded(m.Port.Name, no)));
    }

    private void RemovePortHandler(RemovePort m)
    {
        var deleted = DeleteInPorts([m.PortNo]);
        var port = _datapath.GetPort(m.PortNo);
        var existed = _datapath.RemovePort(m.PortNo);
        port?.Dispose();
        Sender.Tell(new PortRemoved(m.PortNo, existed, deleted));
    }

    private void SetBondHandler(SetBond m)
    {
        var outputs = new ushort[Fabric.Datapath.Bonds.BondMap.Buckets];
        for (var b = 0; b < outputs.Length && b < m.Outputs.Count; b++)
        {
            outputs[b] = m.Outputs[b];
        }

        Fabric.Datapath.Bonds.BondMap map;
        try
        {
            map = new Fabric.Datapath.Bonds.BondMap(m.BondId, m.Name, m.Mode, outputs, m.ActiveMember, m.Members, m.InputRule, m.AllMembersActive, _datapath.Bonds.CountersFor(m.BondId));
        }
        catch (ArgumentException e)
        {
            Sender.Tell(new Status.Failure(e));
            return;
        }

        _datapath.Bonds.Publish(map);
        Record(new FlowChange { Bond = BondCodec.Write(map) });
        if (!Sender.IsNobody())
        {
            Sender.Tell(new BondSet(m.BondId));
        }
    }

    private void HandOverHandler()
    {
        Flush();
        var waiter = Sender;
        DeferAsync(new HandOver(), _ =>
        {
            _handOverWaiter = waiter;
            TakeSnapshot();
        });
    }

    private void CheckpointHandler()
    {
        Flush();
        var waiter = Sender;

        // Runs after every pending PersistAsync handler, i.e. once the journal has everything up to now.
        DeferAsync(new Checkpoint(), _ =>
        {
            _pendingCheckpoints.Add((waiter, LastSequenceNr));
            TakeSnapshot();
        });
    }

    private void CleanupHandler()
    {
        if (_cleanupWaiter is not null)
        {
            Sender.Tell(new Checkpointed(LastSequenceNr, "a cleanup is already running"));
            return;
        }

        _cleanupWaiter = Sender;
        ClearAll();
        Flush();
        _cleanupFromSequenceNr = LastSequenceNr;
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
            snapshot.States.Add(FlowCodec.ToState(f));
        }

        foreach (var b in _datapath.Bonds.All())
        {
            snapshot.Bonds.Add(BondCodec.Write(b));
        }

        _snapshotInFlight = true;
        _changesSinceSnapshot = 0;
        SaveSnapshot(snapshot);
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess s)
    {
        var seq = s.Metadata.SequenceNr;
        _snapshotInFlight = false;
        _snapshotSequenceNr = seq;
        _lastSnapshotAt = s.Metadata.Timestamp;

        // Compaction: the snapshot holds everything up to its sequence number.
        DeleteMessages(seq);
        if (seq > 1)
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(seq - 1));
        }

        if (_cleanupWaiter is not null && _cleanupDeleteTo < 0 && seq >= _cleanupFromSequenceNr)
        {
            // The empty snapshot of exit --cleanup: only the deletion of the events up to it completes the cleanup.
            _cleanupDeleteTo = seq;
        }

        AnswerCheckpoints(seq, null);
        if (_handOverWaiter is { } handOver)
        {
            _handOverWaiter = null;
            _handedOver = true;
            _log.Info("datapath: journal handed over at sequence {0}", seq);
            handOver.Tell(new HandedOver(seq, null));
        }
    }

    private void OnSnapshotFailed(SaveSnapshotFailure f)
    {
        _snapshotInFlight = false;
        _log.Warning("datapath: snapshot at sequence {0} failed: {1}", f.Metadata.SequenceNr, f.Cause.Message);
        AnswerCheckpoints(long.MaxValue, f.Cause.Message);
        if (_handOverWaiter is { } handOver)
        {
            _handOverWaiter = null;
            handOver.Tell(new HandedOver(f.Metadata.SequenceNr, f.Cause.Message));
        }

        if (_cleanupWaiter is not null && _cleanupDeleteTo < 0)
        {
            FinishCleanup(f.Cause.Message);
        }
    }

    private void OnMessagesDeleted(DeleteMessagesSuccess d)
    {
        if (_cleanupWaiter is not null && _cleanupDeleteTo >= 0 && d.ToSequenceNr == _cleanupDeleteTo)
        {
            FinishCleanup(null);
        }
    }

    private void OnMessagesDeleteFailed(DeleteMessagesFailure d)
    {
        _log.Warning("datapath: deleting journal events up to {0} failed: {1}", d.ToSequenceNr, d.Cause.Message);
        if (_cleanupWaiter is not null && _cleanupDeleteTo >= 0 && d.ToSequenceNr == _cleanupDeleteTo)
        {
            FinishCleanup(d.Cause.Message);
        }
    }

    private void AnswerCheckpoints(long upTo, string? error)
    {
        for (var i = _pendingCheckpoints.Count - 1; i >= 0; i--)
        {
            var (waiter, seq) = _pendingCheckpoints[i];
            if (seq <= upTo)
            {
                waiter.Tell(new Checkpointed(error is null ? upTo : seq, error));
                _pendingCheckpoints.RemoveAt(i);
            }
        }
    }

    private void FinishCleanup(string? error)
    {
        var waiter = _cleanupWaiter!;
        _cleanupWaiter = null;
        _cleanupFromSequenceNr = -1;
        _cleanupDeleteTo = -1;
        waiter.Tell(new Checkpointed(LastSequenceNr, error));
    }

    private PersistenceStatus Status()
    {
        var figures = new JournalFigures(
            _live.EventsWritten,
            _live.ChangesWritten,
            _pendingChanges + (_batch?.Changes.Count ?? 0),
            _live.WriteFailures,
            _live.LastWriteMs,
            _live.EventsWritten == 0 ? 0 : _live.TotalWriteMs / _live.EventsWritten,
            _live.MaxWriteMs);
        return new PersistenceStatus(PersistenceId, LastSequenceNr, _snapshotSequenceNr, _lastSnapshotAt, _changesSinceSnapshot, _live.RestoredFlows, _live.RecoveryTime, figures);
    }

    /// <summary>Sent to itself: journal the changes collected so far.</summary>
    private sealed class FlushJournal
    {
        public static readonly FlushJournal Instance = new();
    }

    /// <summary>Timer message: snapshot if anything changed since the last snapshot.</summary>
    private sealed class SnapshotTick
    {
        public static readonly SnapshotTick Instance = new();
    }
}
