using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;

namespace Fabric.Kernel.Tests.Persistence;

/// <summary>A ReceivePersistentActor exercising every persistence call; it reports recovery and failure callbacks to a probe.</summary>
internal sealed class CounterActor : ReceivePersistentActor
{
    private readonly string _persistenceId;
    private readonly IActorRef _probe;
    private readonly Recovery? _recovery;
    private List<string> _state = [];

    public CounterActor(string persistenceId, IActorRef probe, Recovery? recovery = null)
    {
        _persistenceId = persistenceId;
        _probe = probe;
        _recovery = recovery;

        Recover<SnapshotOffer>(offer =>
        {
            _state = [.. (string[])offer.Snapshot];
            _probe.Tell(new Offered(offer.Metadata.SequenceNr, string.Join(",", _state)), Self);
        });
        Recover<Evt>(e =>
        {
            if (e.Data == "poison")
            {
                throw new InvalidOperationException("poisoned event");
            }

            _state.Add(e.Data);
            _probe.Tell(new Replayed(e.Data, LastSequenceNr, IsRecovering, Sender.Equals(Context.System.DeadLetters)), Self);
        });
        Recover<RecoveryCompleted>(_ => _probe.Tell(new Recovered(LastSequenceNr, IsRecovering, IsRecoveryFinished, string.Join(",", _state)), Self));

        Command<Cmd>(c => Persist(new Evt(c.Data), Apply));
        Command<AsyncCmd>(c => PersistAsync(new Evt(c.Data), Apply));
        Command<AllCmd>(c => PersistAll(c.Data.Select(d => new Evt(d)), Apply));
        Command<AllAsyncCmd>(c => PersistAllAsync(c.Data.Select(d => new Evt(d)), Apply));
        Command<DeferCmd>(c => DeferAsync(c.Data, d => Sender.Tell("deferred-" + d, Self)));
        Command<NestedCmd>(c => Persist(new Evt(c.Data), e =>
        {
            Apply(e);
            Persist(new Evt(e.Data + "'"), Apply);
        }));
        Command<BadCmd>(_ => Persist(new Unserializable(), _ => Sender.Tell("bad handler ran", Self)));
        Command<DeleteTo>(d => DeleteMessages(d.SequenceNr));
        Command<DeleteSnap>(d => DeleteSnapshot(d.SequenceNr));
        Command<DeleteSnaps>(d => DeleteSnapshots(d.Criteria));
        Command<SaveSnapshotSuccess>(m => _probe.Tell(m, Self));
        Command<SaveSnapshotFailure>(m => _probe.Tell(m, Self));
        Command<DeleteMessagesSuccess>(m => _probe.Tell(m, Self));
        Command<DeleteMessagesFailure>(m => _probe.Tell(m, Self));
        Command<DeleteSnapshotSuccess>(m => _probe.Tell(m, Self));
        Command<DeleteSnapshotsSuccess>(m => _probe.Tell(m, Self));
        Command<string>(s => s == "get", _ => Sender.Tell(string.Join(",", _state), Self));
        Command<string>(s => s == "seq", _ => Sender.Tell(LastSequenceNr, Self));
        Command<string>(s => s == "snap", _ => SaveSnapshot(_state.ToArray()));
        Command<string>(s => s == "crash", _ => throw new InvalidOperationException("crash"));
        Command<string>(s => s == "stop", _ => Context.Stop(Self));
        Command<string>(s => s == "ping", _ => Sender.Tell("pong", Self));
    }

    public override string PersistenceId => _persistenceId;

    protected override Recovery Recovery => _recovery ?? base.Recovery;

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _probe.Tell(new Rejected(sequenceNr, @event, cause), Self);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _probe.Tell(new PersistFailed(sequenceNr, @event, cause), Self);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message)
    {
        _probe.Tell(new RecoveryFailed(reason, message), Self);
        base.OnRecoveryFailure(reason, message);
    }

    private void Apply(Evt e)
    {
        _state.Add(e.Data);
        Sender.Tell($"{e.Data}-{LastSequenceNr}", Self);
    }

    public static Props Props(string persistenceId, IActorRef probe, Recovery? recovery = null) =>
        Fabric.Kernel.Actor.Props.Create(() => new CounterActor(persistenceId, probe, recovery));

    public sealed record Evt(string Data);

    public sealed record Cmd(string Data);

    public sealed record AsyncCmd(string Data);

    public sealed record AllCmd(string[] Data);

    public sealed record AllAsyncCmd(string[] Data);

    public sealed record DeferCmd(string Data);

    public sealed record NestedCmd(string Data);

    public sealed record BadCmd;

    public sealed record DeleteTo(long SequenceNr);

    public sealed record DeleteSnap(long SequenceNr);

    public sealed record DeleteSnaps(SnapshotSelectionCriteria Criteria);

    public sealed record Offered(long SequenceNr, string State);

    public sealed record Replayed(string Data, long SequenceNr, bool IsRecovering, bool SenderIsDeadLetters);

    public sealed record Recovered(long LastSequenceNr, bool IsRecovering, bool IsRecoveryFinished, string State);

    public sealed record Rejected(long SequenceNr, object Event, Exception Cause);

    public sealed record PersistFailed(long SequenceNr, object Event, Exception Cause);

    public sealed record RecoveryFailed(Exception Reason, object? Message);

    public sealed class Unserializable
    {
        public string Value => throw new InvalidOperationException("cannot be read");
    }
}
