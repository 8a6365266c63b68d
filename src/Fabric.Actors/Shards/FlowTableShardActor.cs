using System.Diagnostics;
using Fabric.Actors.Bridge;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Normal;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Megaflows;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Scheduling;
using static Fabric.Actors.Datapath.DatapathProtocol;
using static Fabric.Actors.Shards.ShardProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Shards;

/// <summary>
/// One slice of a bridge's flow-hash space, doing what OVS's handler and revalidator threads do
/// (ovs-facts §3.3): for each upcall it runs NORMAL, asks the datapath actor to install a megaflow
/// whose mask covers exactly the fields NORMAL consulted, and executes the actions on the missed
/// packet; every <see cref="BridgeSettings.RevalidateInterval"/> it sweeps its megaflows, deleting
/// the idle ones (max-idle), refreshing MAC entries of the ones that carried traffic, and
/// re-translating the ones translated at an older MAC table version (modify when the actions
/// changed, delete when the mask did).
/// </summary>
public sealed class FlowTableShardActor : ReceiveActor, IWithTimers
{
    private readonly BridgeSettings _settings;
    private readonly int _index;
    private readonly NormalTranslator _translator;
    private readonly MacLearningTable _macs;
    private readonly DatapathEngine _datapath;
    private readonly IActorRef _datapathActor;
    private readonly TimeProvider _clock;
    private long _upcalls;
    private long _idleDeleted;
    private long _modified;
    private long _staleDeleted;
    private double _lastSweepMs;

    /// <summary>Creates shard <paramref name="index"/> of a bridge.</summary>
    public FlowTableShardActor(BridgeSettings settings, int index, NormalTranslator translator, MacLearningTable macs, DatapathEngine datapath, IActorRef datapathActor)
    {
        _settings = settings;
        _index = index;
        _translator = translator;
        _macs = macs;
        _datapath = datapath;
        _datapathActor = datapathActor;
        _clock = Context.System.TimeProvider;
        Receive<Upcall>(HandleUpcall);
        Receive<Revalidate>(_ => Sweep());
        Receive<ShardProtocol.GetCounters>(_ => Sender.Tell(new ShardCounters(_upcalls, _idleDeleted, _modified, _staleDeleted, _lastSweepMs), Self));
        Receive<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <summary>Timers (injected by the kernel).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for shard <paramref name="index"/>.</summary>
    public static Props Props(BridgeSettings settings, int index, NormalTranslator translator, MacLearningTable macs, DatapathEngine datapath, IActorRef datapathActor) =>
        Fabric.Kernel.Actor.Props.Create(() => new FlowTableShardActor(settings, index, translator, macs, datapath, datapathActor));

    /// <inheritdoc />
    protected override void PreStart() =>
        Timers.StartPeriodicTimer("revalidate", Revalidate.Instance, _settings.RevalidateInterval);

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void HandleUpcall(Upcall upcall)
    {
        _upcalls++;
        var now = NowMs;
        var version = _macs.Version;
        var key = upcall.Key;
        var result = _translator.Translate(key, _macs, now, learn: true);
        if (result.Learn is MacLearnResult.Learned or MacLearnResult.Moved)
        {
            // Megaflows that flooded towards this address, or forwarded to its old port, are now wrong.
            var mac = key.DlSrc;
            var vlan = result.Vlan;
            var bridge = _settings.Name;
            var moved = result.Learn == MacLearnResult.Moved;
            _datapathActor.Tell(new DeleteFlowsWhere(
                f => f.Owner is MegaflowOwner o && o.Bridge == bridge && o.Vlan == vlan && (f.Key.DlDst == mac || (moved && f.Key.DlSrc == mac)),
                moved ? "mac moved" : "mac learned"), ActorRefs.NoSender);
        }

        var owner = new MegaflowOwner(_settings.Name, _index, result.Vlan, _macs, version);
        _datapathActor.Tell(new InstallFlow(key, result.Mask, result.Actions, owner), Self);
        if (!result.Actions.IsDrop)
        {
            _datapath.Execute(upcall.InPort, upcall.Packet.Span, result.Actions);
        }
    }

    private void Sweep()
    {
        var started = _clock.GetTimestamp();
        var now = NowMs;
        var maxIdle = (long)_settings.MaxIdle.TotalMilliseconds;
        var version = _macs.Version;
        List<Megaflow>? stale = null;
        foreach (var flow in _datapath.Flows.Snapshot())
        {
            if (flow.Owner is not MegaflowOwner owner || owner.Shard != _index || owner.Bridge != _settings.Name)
            {
                continue;
            }

            var last = flow.LastUsedMs != 0 ? flow.LastUsedMs : flow.CreatedMs;
            if (now - last >= maxIdle)
            {
                (stale ??= new()).Add(flow);
                _idleDeleted++;
                continue;
            }

            var packets = flow.Packets;
            if (packets != owner.PacketsAtLastSweep)
            {
                owner.PacketsAtLastSweep = packets;
                if (owner.Vlan >= 0 && _translator.PortByDp(flow.Key.InPort) is { } inPort)
                {
                    _macs.Refresh(owner.Vlan, flow.Key.DlSrc, inPort.OfPort, now);
                }
            }

            if (!ReferenceEquals(owner.Table, _macs) || owner.XlateVersion != version)
            {
                var result = _translator.Translate(flow.Key, _macs, now, learn: false);
                if (!result.Mask.Equals(flow.Mask))
                {
                    (stale ??= new()).Add(flow);
                    _staleDeleted++;
                    continue;
                }

                if (!result.Actions.Equals(flow.Actions))
                {
                    _datapathActor.Tell(new ModifyFlow(flow, result.Actions), Self);
                    _modified++;
                }

                owner.Table = _macs;
                owner.XlateVersion = version;
            }
        }

        if (stale is not null)
        {
            _datapathActor.Tell(new DeleteFlows(stale), ActorRefs.NoSender);
        }

        _lastSweepMs = _clock.GetElapsedTime(started).TotalMilliseconds;
    }
}
