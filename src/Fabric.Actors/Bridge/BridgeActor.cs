using Akka.Actor;
using Fabric.Actors.Datapath;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Normal;
using Fabric.Actors.Shards;
using Fabric.Actors.Upcalls;
using static Fabric.Actors.Bridge.BridgeProtocol;
using static Fabric.Actors.Datapath.DatapathProtocol;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Bridge;

/// <summary>
/// One bridge: owns its configuration and its MAC learning table (the table's only writer), runs its flow-table
/// shard actors (children <c>shard-0</c> … <c>shard-N-1</c>), ages MAC entries, and answers fdb/show and
/// fdb/flush. After every change of the MAC table it publishes a new immutable version for the shards and tells
/// the datapath actor which addresses changed, so the megaflows that used them are deleted at once.
/// </summary>
/// <remarks>
/// Everything is rebuilt from <see cref="BridgeSettings"/> and from the datapath on (re)start: the MAC table is
/// re-seeded from the megaflows of the bridge's ports (each one says which source address came in on which port,
/// and the port's VLAN configuration says in which VLAN), so a restarted bridge forwards known destinations
/// without flooding. A restart of the bridge restarts its shards (Akka's default), which keeps them on the same
/// table instance.
/// </remarks>
public sealed class BridgeActor : ReceiveActor, IWithTimers
{
    /// <summary>Upcalls a shard's inbox holds before further ones are counted as lost.</summary>
    public const int ShardInboxCapacity = 1024;

    private readonly IReadOnlyList<BridgePort> _configuredPorts;
    private readonly Cluster.TunnelDirectory? _tunnels;
    private readonly Dictionary<string, int> _tunnelOfPorts = new(StringComparer.Ordinal);
    private BridgeSettings _settings;
    private ShardInbox[] _inboxes = [];
    private readonly DatapathEngine _datapath;
    private readonly IActorRef _datapathActor;
    private readonly UpcallRouter _router;
    private readonly MacLearningTable _macs;
    private readonly PublishedMacTable _published;
    private readonly NormalTranslator _translator;
    private ushort[] _dpPorts;
    private readonly Dictionary<ushort, IActorRef> _bondsByDp = new();
    private readonly Dictionary<string, IActorRef> _bondsByName = new(StringComparer.Ordinal);

    /// <summary>Creates the bridge actor.</summary>
    /// <param name="settings">The bridge's configuration.</param>
    /// <param name="datapath">The live datapath (read for seeding and by the shards' revalidation).</param>
    /// <param name="datapathActor">The datapath actor (or its supervisor), the only writer of megaflows.</param>
    /// <param name="router">Where the bridge publishes its shards' inboxes.</param>
    /// <param name="tunnels">The node's tunnel ports (a bridge with a VNI in a cluster), or null.</param>
    public BridgeActor(BridgeSettings settings, DatapathEngine datapath, IActorRef datapathActor, UpcallRouter router, Cluster.TunnelDirectory? tunnels = null)
    {
        _configuredPorts = settings.Ports;
        _tunnels = tunnels;
        if (tunnels is not null)
        {
            settings = settings with { Ports = WithTunnels(settings.Ports, tunnels.Of(settings.Name)) };
        }

        _settings = settings;
        _datapath = datapath;
        _datapathActor = datapathActor;
        _router = router;
        _macs = new MacLearningTable(settings.MacTableSize, settings.MacAgingTime);
        _translator = new NormalTranslator(settings, datapath.Bonds);
        _dpPorts = settings.Ports.SelectMany(p => p.DpPorts).ToArray();
        SeedFromDatapath();
        _published = new PublishedMacTable(_macs.View);

        Receive<LearnMacs>(m => Learn(m.Learns));
        Receive<RefreshMacs>(m =>
        {
            var now = NowMs;
            foreach (var s in m.Seen)
            {
                _macs.Refresh(s.Vlan, s.Mac, s.OfPort, now);
            }
        });
        Receive<GetFdb>(_ => Sender.Tell(new Fdb(_settings.Name, _settings.Ports, _macs.Snapshot(), NowMs)));
        Receive<FlushFdb>(_ => FlushFdbHandler());
        Receive<AgeTick>(_ => Age());
        Receive<GetSettings>(_ => Sender.Tell(_settings));
        Receive<RevalidateAll>(_ =>
        {
            _macs.MarkChanged();
            _published.Publish(_macs.View);
        });
        Receive<Bonds.BondProtocol.LacpReceived>(m =>
        {
            if (_bondsByDp.TryGetValue(m.DpPort, out var bond))
            {
                bond.Forward(m);
            }
        });
        Receive<Bonds.BondProtocol.GetBondStatus>(m => ForwardToBond(m.Bond, m));
        Receive<Bonds.BondProtocol.GetLacp>(m => ForwardToBond(m.Bond, m));
        Receive<Bonds.BondProtocol.Migrate>(m => ForwardToBond(m.Bond, m));
        Receive<Bonds.BondProtocol.SetActiveMember>(m => ForwardToBond(m.Bond, m));
        Receive<Bonds.BondProtocol.SetMemberEnabled>(m => ForwardToBond(m.Bond, m));
        Receive<Cluster.ClusterProtocol.TunnelsChanged>(_ => ApplyTunnels());
        Receive<RemoteMacs>(ApplyRemoteMacs);
        Receive<InjectFault>(f => throw new InjectedFailureException(f.Why));
    }

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a bridge actor.</summary>
    public static Props Props(BridgeSettings settings, DatapathEngine datapath, IActorRef datapathActor, UpcallRouter router, Cluster.TunnelDirectory? tunnels = null) =>
        Akka.Actor.Props.Create(() => new BridgeActor(settings, datapath, datapathActor, router, tunnels));

    private long NowMs => _datapath.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    protected override void PreStart()
    {
        var count = Math.Clamp(_settings.Shards, 1, Fabric.Datapath.Megaflows.FlowSlice.Count);
        var inboxes = new ShardInbox[count];
        var pollThreadTranslator = new PollThreadTranslator(_translator, _published);
        for (var i = 0; i < count; i++)
        {
            inboxes[i] = new ShardInbox(ShardInboxCapacity, pollThreadTranslator);
            var shard = Context.ActorOf(FlowTableShardActor.Props(_settings, i, count, _translator, _published, inboxes[i], _datapath, _datapathActor), $"shard-{i}");
            inboxes[i].Attach(shard);
        }

        foreach (var port in _settings.Ports)
        {
            if (port.Bond is null)
            {
                continue;
            }

            var bond = Context.ActorOf(Bonds.BondActor.Props(_settings.Name, port, _datapath, _datapathActor, _published), "bond-" + port.Name);
            _bondsByName[port.Name] = bond;
            foreach (var dp in port.DpPorts)
            {
                _bondsByDp[dp] = bond;
            }
        }

        _inboxes = inboxes;
        _router.Publish(_dpPorts, inboxes);
        Timers.StartPeriodicTimer("age", AgeTick.Instance, TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// The tunnel directory changed: the bridge's ports become its configured ones plus its enabled tunnel ports.
    /// MACs learned on a tunnel that went away (or was disabled: its peer is unreachable) are flushed and the
    /// megaflows that used them deleted; the new MAC table version makes the shards translate every other megaflow
    /// again, so floods reach a new tunnel and leave a gone one.
    /// </summary>
    private void ApplyTunnels()
    {
        if (_tunnels is null)
        {
            return;
        }

        var old = _settings.Ports;
        var ports = WithTunnels(_configuredPorts, _tunnels.Of(_settings.Name));
        _translator.SetPorts(ports);
        _settings = _settings with { Ports = ports };
        _dpPorts = ports.SelectMany(p => p.DpPorts).ToArray();
        _router.Publish(_dpPorts, _inboxes);
        var flushed = new List<MacInvalidation>();
        var gone = new List<ushort>();
        foreach (var p in old)
        {
            if (p.RemoteNode is not null && !ports.Any(n => n.OfPort == p.OfPort && n.DpPort == p.DpPort))
            {
                gone.Add(p.DpPort);
                foreach (var e in _macs.FlushPort(p.OfPort))
                {
                    flushed.Add(new MacInvalidation(e.Vlan, e.Mac, Source: true));
                }
            }
        }

        _macs.MarkChanged();
        _published.Publish(_macs.View);
        if (flushed.Count > 0)
        {
            Invalidate(flushed);
        }

        if (gone.Count > 0)
        {
            _datapathActor.Tell(new DeletePortFlows(gone));
        }
    }

    private void ApplyRemoteMacs(RemoteMacs m)
    {
        var now = NowMs;
        var tunnelOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var local = new HashSet<int>();
        foreach (var p in _settings.Ports)
        {
            if (p.RemoteNode is { } node)
            {
                tunnelOf[node] = p.OfPort;
            }
            else
            {
                local.Add(p.OfPort);
            }
        }

        var changes = new List<MacInvalidation>();
        foreach (var b in m.Macs)
        {
            if (!tunnelOf.TryGetValue(b.Node, out var of))
            {
                continue;
            }

            var current = _macs.Lookup(b.Vlan, b.Mac);
            if (current is int known && local.Contains(known))
            {
                continue;
            }

            if (current == of)
            {
                _macs.Refresh(b.Vlan, b.Mac, of, now);
                continue;
            }

            var result = _macs.Learn(b.Vlan, b.Mac, of, now);
            if (result is MacLearnResult.Learned or MacLearnResult.Moved)
            {
                changes.Add(new MacInvalidation(b.Vlan, b.Mac, Source: result == MacLearnResult.Moved));
            }
        }

        if (changes.Count > 0)
        {
            _published.Publish(_macs.View);
            Invalidate(changes);
        }
    }

    /// <summary>The configured ports followed by one trunk port of type vxlan per enabled tunnel, numbered after them (a tunnel keeps its number while the bridge runs).</summary>
    private IReadOnlyList<BridgePort> WithTunnels(IReadOnlyList<BridgePort> configured, IReadOnlyList<Cluster.TunnelPort> tunnels)
    {
        if (tunnels.Count == 0)
        {
            return configured;
        }

        var ports = new List<BridgePort>(configured);
        var used = configured.Select(p => p.OfPort).Concat(_tunnelOfPorts.Values).ToHashSet();
        foreach (var t in tunnels)
        {
            if (!t.Enabled)
            {
                continue;
            }

            if (!_tunnelOfPorts.TryGetValue(t.Name, out var of))
            {
                of = 1;
                while (used.Contains(of))
                {
                    of++;
                }

                used.Add(of);
                _tunnelOfPorts[t.Name] = of;
            }

            ports.Add(new BridgePort { Name = t.Name, OfPort = of, DpPort = t.DpPort, Type = "vxlan", Mode = VlanMode.Trunk, RemoteNode = t.Node });
        }

        return ports;
    }

    private void ForwardToBond(string name, object message)
    {
        if (_bondsByName.TryGetValue(name, out var bond))
        {
            bond.Forward(message);
        }
        else
        {
            Sender.Tell(new Bonds.BondProtocol.CommandResult(false, "no such bond"));
        }
    }

    private void SeedFromDatapath()
    {
        var flows = new List<Fabric.Datapath.Megaflows.Megaflow>();
        foreach (var p in _dpPorts)
        {
            _datapath.Flows.CollectInPort(p, flows);
        }

        foreach (var flow in flows)
        {
            if (_translator.PortByDp(flow.Key.InPort) is { } port && port.InputVlan(flow.Key.HasVlan, flow.Key.VlanVid) is int vlan)
            {
                var seen = flow.LastUsedMs != 0 ? flow.LastUsedMs : flow.CreatedMs;
                _macs.Learn(vlan, flow.Key.DlSrc, port.OfPort, seen);
            }
        }
    }

    private void Learn(IReadOnlyList<LearnMac> learns)
    {
        var now = NowMs;
        List<MacInvalidation>? changes = null;
        List<DatapathProtocol.InstallFlow>? installs = null;
        foreach (var m in learns)
        {
            var result = _macs.Learn(m.Vlan, m.Mac, m.OfPort, now);
            var locked = m.LockGratArp && _macs.LockGratArp(m.Vlan, m.Mac, now);
            if (result is MacLearnResult.Learned or MacLearnResult.Moved || locked)
            {
                // Megaflows that flooded towards this address, or forwarded to its old port, are now wrong.
                (changes ??= new(learns.Count)).Add(new MacInvalidation(m.Vlan, m.Mac, Source: result == MacLearnResult.Moved || locked));
            }

            if (m.Then is { } install)
            {
                (installs ??= new(learns.Count)).Add(install);
            }
        }

        if (changes is not null)
        {
            _published.Publish(_macs.View);
            Invalidate(changes);
        }

        // After the invalidation, so the fresh megaflows are not among the deleted; the shard stays the sender.
        switch (installs?.Count)
        {
            case 1:
                _datapathActor.Forward(installs[0]);
                break;
            case > 1:
                _datapathActor.Forward(new DatapathProtocol.InstallFlows(installs.ToArray()));
                break;
        }
    }

    /// <summary>Tells the datapath actor which addresses changed, stamped with the MAC table version that includes the changes.</summary>
    private void Invalidate(IReadOnlyList<MacInvalidation> changes) =>
        _datapathActor.Tell(new InvalidateMacs(_dpPorts, changes, _settings.Name, _macs.Epoch, _macs.Version));

    private void Age()
    {
        var now = NowMs;
        var expired = _macs.Expire(now);
        var unlocked = _macs.ExpireGratArpLocks(now);
        if (expired.Count == 0 && unlocked.Count == 0)
        {
            return;
        }

        // A released gratuitous-ARP lock changes the verdict on gratuitous ARPs from bonds: those megaflows go too.
        _published.Publish(_macs.View);
        var changes = new MacInvalidation[expired.Count + unlocked.Count];
        for (var i = 0; i < expired.Count; i++)
        {
            changes[i] = new MacInvalidation(expired[i].Vlan, expired[i].Mac, Source: true);
        }

        for (var i = 0; i < unlocked.Count; i++)
        {
            changes[expired.Count + i] = new MacInvalidation(unlocked[i].Vlan, unlocked[i].Mac, Source: true);
        }

        Invalidate(changes);
    }

    private void FlushFdbHandler()
    {
        var n = _macs.Flush();
        _published.Publish(_macs.View);
        _datapathActor.Tell(new DeletePortFlows(_dpPorts));
        Sender.Tell(new FdbFlushed(_settings.Name, n));
    }
}
