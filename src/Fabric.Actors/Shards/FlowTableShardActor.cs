using System.Diagnostics;
using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Normal;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using static Fabric.Actors.Bridge.BridgeProtocol;
using static Fabric.Actors.Datapath.DatapathProtocol;
using static Fabric.Actors.Shards.ShardProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Shards;

/// <summary>
/// One slice of a bridge's flow-hash space (<see cref="FlowSlice"/> mod shard count), doing what OVS's handler and
/// revalidator threads do (ovs-facts §3.3). Upcalls: it takes them from its bounded <see cref="ShardInbox"/>,
/// runs NORMAL against the bridge's published MAC table (unless the poll thread did, <see cref="PollThreadTranslator"/>,
/// and sent the packet already), and sends the datapath actor one message that installs the megaflow and executes the
/// missed packet — through the bridge when the source address must be learned first; a further upcall for a megaflow
/// whose install is still pending is only executed. Revalidation: every
/// <see cref="BridgeSettings.RevalidateInterval"/> (an Akka timer) it visits the megaflows of its own slice,
/// deleting the idle ones (max-idle), reporting the source addresses of the ones that carried traffic to the
/// bridge, and translating again the ones translated against an older MAC table (modify when the actions changed,
/// delete when the mask did).
/// </summary>
/// <remarks>
/// Ownership follows from a flow's match, not from who installed it, so flows restored from the journal of a
/// process with other shard counts or bridge names are adopted by whichever shard owns their slice. Installs in
/// flight are limited (<see cref="MaxPendingInstalls"/>): when the datapath actor falls behind, the shard stops
/// taking upcalls, its inbox fills, and the router counts the excess as lost.
/// </remarks>
public sealed class FlowTableShardActor : ReceiveActor, IWithTimers
{
    /// <summary>Most installs a shard has outstanding at the datapath actor before it pauses taking upcalls.</summary>
    public const int MaxPendingInstalls = 256;

    /// <summary>Most upcalls handled per wake-up before the shard yields to its other messages.</summary>
    public const int UpcallBatch = 64;

    private const ushort SlowProtocolsEthType = 0x8809;
    private const ulong LacpDestination = 0x0180_c200_0002UL;

    private readonly BridgeSettings _settings;
    private readonly int _index;
    private readonly int _shardCount;
    private readonly NormalTranslator _translator;
    private readonly PublishedMacTable _macs;
    private readonly ShardInbox _inbox;
    private readonly DatapathEngine _datapath;
    private readonly IActorRef _datapathActor;
    private readonly Dictionary<FlowMatch, PendingInstall> _pending = new();
    private readonly Dictionary<FlowMask, int> _pendingMasks = new();
    private readonly List<Megaflow> _slice = new();
    private readonly List<InstallFlow> _installs = new();
    private readonly List<LearnMac> _learns = new();
    private MegaflowOwner? _lastOwner;
    private Dictionary<long, Ukey> _ukeys = new();
    private Dictionary<long, Ukey> _nextUkeys = new();
    private long _sweeps;
    private long _upcalls;
    private long _duplicates;
    private long _idleDeleted;
    private long _modified;
    private long _staleDeleted;
    private int _keys;
    private double _lastSweepMs;

    /// <summary>Creates shard <paramref name="index"/> of <paramref name="shardCount"/> of a bridge.</summary>
    public FlowTableShardActor(BridgeSettings settings, int index, int shardCount, NormalTranslator translator, PublishedMacTable macs, ShardInbox inbox, DatapathEngine datapath, IActorRef datapathActor)
    {
        _settings = settings;
        _index = index;
        _shardCount = shardCount;
        _translator = translator;
        _macs = macs;
        _inbox = inbox;
        _datapath = datapath;
        _datapathActor = datapathActor;
        Receive<UpcallsReady>(_ => Drain());
        Receive<InstallDone>(OnInstallDone);
        Receive<InstallsDone>(OnInstallsDone);
        Receive<Revalidate>(_ => Sweep());
        Receive<ShardProtocol.GetCounters>(_ => Sender.Tell(new ShardCounters(_upcalls, _duplicates, _keys, _idleDeleted, _modified, _staleDeleted, _lastSweepMs)));
        Receive<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for shard <paramref name="index"/> of <paramref name="shardCount"/>.</summary>
    public static Props Props(BridgeSettings settings, int index, int shardCount, NormalTranslator translator, PublishedMacTable macs, ShardInbox inbox, DatapathEngine datapath, IActorRef datapathActor) =>
        Akka.Actor.Props.Create(() => new FlowTableShardActor(settings, index, shardCount, translator, macs, inbox, datapath, datapathActor));

    private long NowMs => _datapath.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("revalidate", Revalidate.Instance, _settings.RevalidateInterval);

        // Upcalls may have waited in the inbox while this shard was restarting.
        _inbox.Rearm();
        _inbox.Wake();
    }

    private void Drain()
    {
        _inbox.Rearm();
        var handled = 0;
        while (handled < UpcallBatch && _pending.Count < MaxPendingInstalls && _inbox.TryTake(out var upcall))
        {
            Handle(upcall);
            handled++;
        }

        SendInstalls();

        if (_inbox.Count > 0 && _pending.Count < MaxPendingInstalls)
        {
            // More waiting: come back after whatever else is in the mailbox.
            _inbox.Wake();
        }
    }

    private void Handle(ShardUpcall posted)
    {
        _upcalls++;
        var upcall = posted.Upcall;
        var key = upcall.Key;
        if (key.DlType == SlowProtocolsEthType && key.DlDst == LacpDestination && _translator.PortByDp(key.InPort)?.Bond is not null)
        {
            // An LACPDU on a bond member: the bond's LACP state machine takes every one (OVS process_special).
            Context.Parent.Tell(new Bonds.BondProtocol.LacpReceived(upcall.InPort, upcall.Packet));
        }

        if (TryFindPending(key, out var pending))
        {
            // The megaflow is being installed: execute only (OVS drops duplicate ukeys the same way).
            _duplicates++;
            if (!posted.Executed && !pending.Actions.IsDrop)
            {
                _datapath.Execute(upcall.InPort, upcall.Packet.Span, pending.Actions);
            }

            return;
        }

        // Translated already when the poll thread did it (and sent the packet: the install carries none then).
        var view = posted.View ?? _macs.Current;
        var result = posted.Xlate ?? _translator.Translate(key, view);
        var match = FlowMatch.Of(key, result.Mask);
        _pending[match] = new PendingInstall(result.Actions, _sweeps);
        _pendingMasks[result.Mask] = _pendingMasks.GetValueOrDefault(result.Mask) + 1;
        var owner = OwnerFor(result.Vlan, view.Epoch, view.Version, result.Flooded);
        var install = new InstallFlow(key, result.Mask, result.Actions, owner, upcall.InPort, posted.Executed ? ReadOnlyMemory<byte>.Empty : upcall.Packet);
        if (result.LearnOfPort >= 0)
        {
            // A new or moved source: the bridge learns it first and then passes the install on (OVS learns before
            // the packet is executed), so a reply to this packet already finds the address. Sent with the rest of this
            // drain's learnings (SendInstalls).
            var lockGratArp = result.IsGratuitousArp && _translator.PortByDp(key.InPort)?.Bond is null;
            _learns.Add(new LearnMac(result.Vlan, key.DlSrc, result.LearnOfPort, install, lockGratArp));
        }
        else
        {
            // Sent with the rest of this drain's installs (SendInstalls).
            _installs.Add(install);
        }
    }

    /// <summary>
    /// Sends what this drain translated: the installs to the datapath actor, and the installs behind a learning to the
    /// bridge; one message each for all of them.
    /// </summary>
    private void SendInstalls()
    {
        switch (_installs.Count)
        {
            case 0:
                break;
            case 1:
                _datapathActor.Tell(_installs[0]);
                break;
            default:
                _datapathActor.Tell(new InstallFlows(_installs.ToArray()));
                break;
        }

        _installs.Clear();
        if (_learns.Count > 0)
        {
            Context.Parent.Tell(new LearnMacs(_learns.ToArray()));
            _learns.Clear();
        }
    }

    /// <summary>The owner tag for a flow translated now: the last one when it says the same (the tag is immutable, so flows share it).</summary>
    private MegaflowOwner OwnerFor(int vlan, long epoch, long version, bool flooded)
    {
        if (_lastOwner is not { } o || o.Vlan != vlan || o.MacTableEpoch != epoch || o.MacTableVersion != version || o.Flooded != flooded)
        {
            _lastOwner = o = new MegaflowOwner(_settings.Name, vlan, epoch, version, flooded);
        }

        return o;
    }

    private bool TryFindPending(in FlowKey key, out PendingInstall pending)
    {
        foreach (var mask in _pendingMasks.Keys)
        {
            if (_pending.TryGetValue(FlowMatch.Of(key, mask), out pending))
            {
                return true;
            }
        }

        pending = default;
        return false;
    }

    private void OnInstallDone(InstallDone done)
    {
        var wasFull = _pending.Count >= MaxPendingInstalls;
        ForgetPending(done.Match);
        WakeIfRoom(wasFull);
    }

    private void OnInstallsDone(InstallsDone batch)
    {
        var wasFull = _pending.Count >= MaxPendingInstalls;
        foreach (var done in batch.Done)
        {
            ForgetPending(done.Match);
        }

        WakeIfRoom(wasFull);
    }

    /// <summary>Takes upcalls again once installs are answered after the pending limit had paused the shard.</summary>
    private void WakeIfRoom(bool wasFull)
    {
        if (wasFull && _pending.Count < MaxPendingInstalls)
        {
            _inbox.Wake();
        }
    }

    private void ForgetPending(FlowMatch match)
    {
        if (_pending.Remove(match))
        {
            var n = _pendingMasks[match.Mask] - 1;
            if (n == 0)
            {
                _pendingMasks.Remove(match.Mask);
            }
            else
            {
                _pendingMasks[match.Mask] = n;
            }
        }
    }

    private void Sweep()
    {
        var started = Stopwatch.GetTimestamp();
        var now = NowMs;
        var maxIdle = (long)_settings.MaxIdle.TotalMilliseconds;
        var view = _macs.Current;
        _sweeps++;
        ExpirePending();

        _slice.Clear();
        foreach (var port in _translator.Ports)
        {
            foreach (var dp in port.DpPorts)
            {
                for (var slice = _index; slice < FlowSlice.Count; slice += _shardCount)
                {
                    _datapath.Flows.CollectSlice(dp, slice, _slice);
                }
            }
        }

        List<FlowMatch>? stale = null;
        List<MacSeen>? seen = null;
        _nextUkeys.Clear();
        foreach (var flow in _slice)
        {
            if (!_ukeys.TryGetValue(flow.Id, out var ukey))
            {
                ukey = flow.Owner is MegaflowOwner o ? new Ukey(0, o.MacTableEpoch, o.MacTableVersion, false) : new Ukey(0, 0, -1, false);
            }
            else if (ukey.Deleting)
            {
                // Its delete is on its way to the datapath actor: neither count nor send it again.
                _nextUkeys[flow.Id] = ukey;
                continue;
            }

            var last = flow.LastUsedMs != 0 ? flow.LastUsedMs : flow.CreatedMs;
            if (now - last >= maxIdle)
            {
                (stale ??= new()).Add(FlowMatch.Of(flow));
                _nextUkeys[flow.Id] = ukey with { Deleting = true };
                _idleDeleted++;
                continue;
            }

            var packets = flow.Packets;
            var inPort = _translator.PortByDp(flow.Key.InPort);
            if (packets != ukey.Packets && inPort is not null && inPort.InputVlan(flow.Key.HasVlan, flow.Key.VlanVid) is int vlan && !MacLearningTable.IsMulticast(flow.Key.DlSrc))
            {
                (seen ??= new()).Add(new MacSeen(vlan, flow.Key.DlSrc, inPort.OfPort));
            }

            ukey = ukey with { Packets = packets };
            if (ukey.Epoch != view.Epoch || ukey.Version != view.Version)
            {
                var result = _translator.Translate(flow.Key, view);
                if (!result.Mask.Equals(flow.Mask))
                {
                    (stale ??= new()).Add(FlowMatch.Of(flow));
                    _nextUkeys[flow.Id] = ukey with { Deleting = true };
                    _staleDeleted++;
                    continue;
                }

                if (!result.Actions.Equals(flow.Actions))
                {
                    _datapathActor.Tell(new ModifyFlow(FlowMatch.Of(flow), result.Actions));
                    _modified++;
                }

                ukey = ukey with { Epoch = view.Epoch, Version = view.Version };
            }

            _nextUkeys[flow.Id] = ukey;
        }

        (_ukeys, _nextUkeys) = (_nextUkeys, _ukeys);
        _keys = _slice.Count;
        if (stale is not null)
        {
            _datapathActor.Tell(new DeleteFlows(stale), ActorRefs.NoSender);
        }

        if (seen is not null)
        {
            Context.Parent.Tell(new RefreshMacs(seen));
        }

        _lastSweepMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>
    /// Forgets installs pending since before the previous sweep: their answer is lost (the datapath actor was
    /// restarting), and the next upcall for the flow must translate and install it again.
    /// </summary>
    private void ExpirePending()
    {
        List<FlowMatch>? expired = null;
        foreach (var (match, p) in _pending)
        {
            if (p.Sweep < _sweeps - 1)
            {
                (expired ??= new()).Add(match);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var m in expired)
        {
            ForgetPending(m);
        }

        _inbox.Wake();
    }

    /// <summary>An install sent to the datapath actor and not yet answered.</summary>
    private readonly record struct PendingInstall(DatapathActions Actions, long Sweep);

    /// <summary>
    /// What the shard remembers of a megaflow between sweeps (OVS ukey): packets seen, the MAC table version it was
    /// translated at, and whether its delete has been sent (OVS UKEY_EVICTING).
    /// </summary>
    private readonly record struct Ukey(long Packets, long Epoch, long Version, bool Deleting);
}
