using Fabric.Actors.Diagnostics;
using Fabric.Actors.Normal;
using Fabric.Actors.Shards;
using Fabric.Actors.Upcalls;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Scheduling;
using static Fabric.Actors.Bridge.BridgeProtocol;
using static Fabric.Actors.Datapath.DatapathProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Bridge;

/// <summary>
/// One bridge: owns its configuration, its MAC learning table and its flow-table shard actors
/// (children <c>shard-0</c> … <c>shard-N-1</c>), ages MAC entries, and answers fdb/show and fdb/flush.
/// </summary>
/// <remarks>
/// Everything is rebuilt from <see cref="BridgeSettings"/> and from the datapath on (re)start: the MAC
/// table is re-seeded from the bridge's installed megaflows (each one says which source address came
/// in on which port and VLAN), so a restarted bridge forwards known destinations without flooding.
/// </remarks>
public sealed class BridgeActor : ReceiveActor, IWithTimers
{
    private readonly BridgeSettings _settings;
    private readonly DatapathEngine _datapath;
    private readonly IActorRef _datapathActor;
    private readonly UpcallRouter _router;
    private readonly MacLearningTable _macs;
    private readonly NormalTranslator _translator;
    private readonly TimeProvider _clock;

    /// <summary>Creates the bridge actor.</summary>
    public BridgeActor(BridgeSettings settings, DatapathEngine datapath, IActorRef datapathActor, UpcallRouter router)
    {
        _settings = settings;
        _datapath = datapath;
        _datapathActor = datapathActor;
        _router = router;
        _clock = Context.System.TimeProvider;
        _macs = new MacLearningTable(settings.MacTableSize, settings.MacAgingTime);
        _translator = new NormalTranslator(settings);

        Receive<GetFdb>(_ => Sender.Tell(new Fdb(_settings.Name, _settings.Ports, _macs.Snapshot(), NowMs), Self));
        Receive<FlushFdb>(_ => FlushFdbHandler());
        Receive<AgeTick>(_ => Age());
        Receive<GetSettings>(_ => Sender.Tell(_settings, Self));
        Receive<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <summary>Timers (injected by the kernel).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The bridge's MAC learning table (for tests and diagnostics).</summary>
    internal MacLearningTable Macs => _macs;

    /// <summary>Props for a bridge actor.</summary>
    public static Props Props(BridgeSettings settings, DatapathEngine datapath, IActorRef datapathActor, UpcallRouter router) =>
        Fabric.Kernel.Actor.Props.Create(() => new BridgeActor(settings, datapath, datapathActor, router));

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    protected override void PreStart()
    {
        SeedFromDatapath();
        var shards = new IActorRef[Math.Max(1, _settings.Shards)];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = Context.ActorOf(FlowTableShardActor.Props(_settings, i, _translator, _macs, _datapath, _datapathActor), $"shard-{i}");
        }

        _router.Publish(_settings.Ports.Select(p => p.DpPort), shards);
        Timers.StartPeriodicTimer("age", AgeTick.Instance, TimeSpan.FromSeconds(1));
    }

    private void SeedFromDatapath()
    {
        foreach (var flow in _datapath.Flows.Snapshot())
        {
            if (flow.Owner is MegaflowOwner o && o.Bridge == _settings.Name && o.Vlan >= 0 && _translator.PortByDp(flow.Key.InPort) is { } port)
            {
                var seen = flow.LastUsedMs != 0 ? flow.LastUsedMs : flow.CreatedMs;
                _macs.Learn(o.Vlan, flow.Key.DlSrc, port.OfPort, seen);
            }
        }
    }

    private void Age()
    {
        var expired = _macs.Expire(NowMs);
        if (expired.Count == 0)
        {
            return;
        }

        var gone = expired.Select(e => (e.Vlan, e.Mac)).ToHashSet();
        var bridge = _settings.Name;
        _datapathActor.Tell(new DeleteFlowsWhere(
            f => f.Owner is MegaflowOwner o && o.Bridge == bridge && (gone.Contains((o.Vlan, f.Key.DlDst)) || gone.Contains((o.Vlan, f.Key.DlSrc))),
            "mac aged out"), ActorRefs.NoSender);
    }

    private void FlushFdbHandler()
    {
        var n = _macs.Flush();
        var bridge = _settings.Name;
        _datapathActor.Tell(new DeleteFlowsWhere(f => f.Owner is MegaflowOwner o && o.Bridge == bridge, "fdb/flush"), ActorRefs.NoSender);
        Sender.Tell(new FdbFlushed(_settings.Name, n), Self);
    }
}
