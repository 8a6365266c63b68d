using System.Net;
using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Cluster;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Tests.Support;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Xunit;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Cluster;

/// <summary>
/// The tunnel manager and a bridge with a VNI on a real datapath with in-memory ports, driven by cluster views as
/// Akka.Cluster's membership events would produce them: tunnels come with Up peers, carry nothing while the peer is
/// unreachable (and its MACs go), survive a peer's new incarnation, and leave with the peer.
/// </summary>
public sealed class TunnelManagerScenarioTests : Akka.TestKit.Xunit2.TestKit
{
    private const int Vni = 100;
    private const ulong MacA = 0x0200_0000_0001;
    private const ulong MacRemote = 0x0200_0000_0099;
    private static readonly IPAddress SelfVtep = IPAddress.Parse("10.9.0.1");
    private static readonly IPAddress PeerVtep = IPAddress.Parse("10.9.0.2");
    private readonly Dp _datapath;
    private readonly MemoryPort[] _hosts = [new MemoryPort("p1"), new MemoryPort("p2")];
    private readonly MemoryTunnelFactory _factory = new();
    private readonly TunnelDirectory _directory = new();
    private readonly UpcallRouter _router = new();
    private readonly IActorRef _datapathActor;
    private readonly IActorRef _bridge;
    private readonly IActorRef _tunnels;

    public TunnelManagerScenarioTests()
        : base(BridgeScenario.SystemConfig(ScenarioStore.Memory()), "tunnels")
    {
        var clock = new ManualClock(((Akka.TestKit.TestScheduler)Sys.Scheduler).Now);
        _datapath = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, clock);
        var ports = new List<BridgePort>();
        foreach (var h in _hosts)
        {
            var no = _datapath.AddPort(h);
            ports.Add(new BridgePort { Name = h.Name, OfPort = no, DpPort = no, Type = "dummy", Mode = VlanMode.Access, Tag = 0 });
        }

        _datapathActor = Sys.ActorOf(
            DatapathActor.SupervisedProps(_datapath, new DatapathPersistenceSettings(), new LiveTableState(), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 0),
            "datapath-supervisor");
        _datapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(10)).Wait();
        var settings = new BridgeSettings { Name = "br0", Ports = ports, Shards = 1 };
        _bridge = Sys.ActorOf(BridgeActor.Props(settings, _datapath, _datapathActor, _router, _directory), "br0");
        _bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5)).Wait();
        _tunnels = Sys.ActorOf(TunnelManagerActor.Props([new TunnelBridge("br0", Vni, _bridge)], _factory, _datapathActor, _directory, SelfVtep), "tunnels");
    }

    [Fact]
    public async Task An_up_peer_gets_a_tunnel_port_that_floods_learn_and_unicast_use()
    {
        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        var tunnel = await TunnelReadyAsync("vx100-hv2");
        Assert.Equal(PeerVtep, _factory.Tunnels["vx100-hv2"].Remote);
        Assert.Equal(Vni, _factory.Tunnels["vx100-hv2"].Vni);
        Assert.True(_factory.Tunnels["vx100-hv2"].Enabled);
        var fdb = await _bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb());
        var port = Assert.Single(fdb.Ports, p => p.Type == "vxlan");
        Assert.Equal("hv2", port.RemoteNode);
        Assert.Equal(tunnel.DpPort, port.DpPort);

        // A broadcast from p1 floods to p2 and the tunnel.
        Inject(_hosts[0], Frames.Arp(MacA, 0xffff_ffff_ffff, 0x0a000001, 0x0a000063));
        await SettleAsync(flows: 1, packetOuts: 1);
        Assert.Equal(1, Sent(_hosts[1]));
        Assert.Equal(1, Sent(tunnel.Port));

        // The reply comes back through the tunnel: its source is learned there, and goes only to p1.
        Inject(tunnel.Port, Frames.Udp(MacRemote, MacA, 0x0a000063, 0x0a000001, 1, 2));
        await AwaitAssertAsync(async () =>
        {
            var f = await _bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb());
            Assert.Contains(f.Entries, e => e.Mac == MacRemote && e.OfPort == port.OfPort);
        });
        await SettleAsync(flows: 2, packetOuts: 1);
        Assert.Equal(1, Sent(_hosts[0]));

        // Unicast to the remote MAC now goes to the tunnel only.
        Inject(_hosts[0], Frames.Udp(MacA, MacRemote, 0x0a000001, 0x0a000063, 3, 4));
        await SettleAsync(flows: 3, packetOuts: 1);
        Assert.Equal(1, Sent(tunnel.Port));
        Assert.Equal(0, Sent(_hosts[1]));
    }

    [Fact]
    public async Task An_unreachable_peer_disables_its_tunnel_and_flushes_its_macs_then_reachable_enables_it()
    {
        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        var tunnel = await TunnelReadyAsync("vx100-hv2");
        Inject(tunnel.Port, Frames.Arp(MacRemote, 0xffff_ffff_ffff, 0x0a000063, 0x0a000001));
        await AwaitAssertAsync(async () => Assert.Contains((await Fdb()).Entries, e => e.Mac == MacRemote));

        _tunnels.Tell(View(Self("Up"), Peer(1, "Up", reachable: false)));
        await AwaitAssertAsync(() => Assert.False(_factory.Tunnels["vx100-hv2"].Enabled));
        await AwaitAssertAsync(async () =>
        {
            var fdb = await Fdb();
            Assert.DoesNotContain(fdb.Entries, e => e.Mac == MacRemote);
            Assert.DoesNotContain(fdb.Ports, p => p.Type == "vxlan");
        });
        Assert.Contains(_directory.Current, t => t.Name == "vx100-hv2" && !t.Enabled);

        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        await AwaitAssertAsync(async () => Assert.Contains((await Fdb()).Ports, p => p.Type == "vxlan"));
        Assert.True(_factory.Tunnels["vx100-hv2"].Enabled);
    }

    [Fact]
    public async Task A_new_incarnation_on_the_same_vtep_keeps_the_tunnel_through_the_old_ones_removal()
    {
        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        var tunnel = await TunnelReadyAsync("vx100-hv2");

        _tunnels.Tell(View(Self("Up"), Peer(1, "Down", reachable: false), Peer(2, "Up")));
        _tunnels.Tell(View(Self("Up"), Peer(2, "Up")));
        var tunnels = await _tunnels.Ask<ClusterProtocol.Tunnels>(new ClusterProtocol.GetTunnels());
        var kept = Assert.Single(tunnels.Ports);
        Assert.Equal(tunnel.DpPort, kept.DpPort);
        Assert.True(kept.Enabled);
        Assert.False(_factory.Tunnels["vx100-hv2"].Detached);
        Assert.Same(_factory.Tunnels["vx100-hv2"].Port, _datapath.GetPort(tunnel.DpPort));
    }

    [Fact]
    public async Task A_removed_peer_loses_its_tunnel_but_a_view_in_which_this_node_is_not_up_removes_nothing()
    {
        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        var tunnel = await TunnelReadyAsync("vx100-hv2");

        // A rejoining incarnation first sees only itself, Joining: the tunnel stays.
        _tunnels.Tell(View(Self("Joining")));
        var still = await _tunnels.Ask<ClusterProtocol.Tunnels>(new ClusterProtocol.GetTunnels());
        Assert.Single(still.Ports);
        Assert.NotNull(_datapath.GetPort(tunnel.DpPort));

        _tunnels.Tell(View(Self("Up")));
        await AwaitAssertAsync(() => Assert.Null(_datapath.GetPort(tunnel.DpPort)));
        Assert.True(_factory.Tunnels["vx100-hv2"].Detached);
        await AwaitAssertAsync(async () => Assert.DoesNotContain((await Fdb()).Ports, p => p.Type == "vxlan"));
        Assert.Empty(_directory.Current);
    }

    [Fact]
    public async Task A_peer_that_leaves_gracefully_keeps_its_tunnel_enabled_for_the_rejoin_grace_then_loses_it()
    {
        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        var tunnel = await TunnelReadyAsync("vx100-hv2");

        // ctl restart: the old incarnation leaves (Akka marks an exiting member unreachable), then is removed.
        _tunnels.Tell(View(Self("Up"), Peer(1, "Leaving")));
        _tunnels.Tell(View(Self("Up"), Peer(1, "Exiting", reachable: false)));
        _tunnels.Tell(View(Self("Up")));
        var during = await _tunnels.Ask<ClusterProtocol.Tunnels>(new ClusterProtocol.GetTunnels());
        var kept = Assert.Single(during.Ports);
        Assert.True(kept.Enabled);
        Assert.True(_factory.Tunnels["vx100-hv2"].Enabled);
        Assert.NotNull(_datapath.GetPort(tunnel.DpPort));

        // No successor within the grace: the tunnel goes.
        ((Akka.TestKit.TestScheduler)Sys.Scheduler).Advance(TunnelManagerActor.DefaultRejoinGrace + TimeSpan.FromSeconds(1));
        await AwaitAssertAsync(() => Assert.Null(_datapath.GetPort(tunnel.DpPort)));
        Assert.Empty(_directory.Current);
    }

    [Fact]
    public async Task A_successor_that_joins_within_the_grace_keeps_the_same_tunnel_and_a_downed_peer_gets_no_grace()
    {
        _tunnels.Tell(View(Self("Up"), Peer(1, "Up")));
        var tunnel = await TunnelReadyAsync("vx100-hv2");
        _tunnels.Tell(View(Self("Up"), Peer(1, "Exiting", reachable: false)));
        _tunnels.Tell(View(Self("Up")));
        _tunnels.Tell(View(Self("Up"), Peer(2, "Joining")));
        _tunnels.Tell(View(Self("Up"), Peer(2, "Up")));
        ((Akka.TestKit.TestScheduler)Sys.Scheduler).Advance(TunnelManagerActor.DefaultRejoinGrace + TimeSpan.FromSeconds(1));
        var after = await _tunnels.Ask<ClusterProtocol.Tunnels>(new ClusterProtocol.GetTunnels());
        Assert.Equal(tunnel.DpPort, Assert.Single(after.Ports).DpPort);

        // Killed and downed: removed at once when it is removed.
        _tunnels.Tell(View(Self("Up"), Peer(2, "Up", reachable: false)));
        _tunnels.Tell(View(Self("Up"), Peer(2, "Down", reachable: false)));
        _tunnels.Tell(View(Self("Up")));
        await AwaitAssertAsync(() => Assert.Null(_datapath.GetPort(tunnel.DpPort)));
    }

    private static ClusterView View(params ClusterMember[] members) =>
        new("akka.tcp://fabric@10.9.0.1:4051", 1, members, members[0].Address, 1);

    private static ClusterMember Self(string status) =>
        new("akka.tcp://fabric@10.9.0.1:4051", 1, "hv1", SelfVtep, status, true, ["node:hv1", "vtep:10.9.0.1"]);

    private static ClusterMember Peer(long uid, string status, bool reachable = true) =>
        new("akka.tcp://fabric@10.9.0.2:4051", uid, "hv2", PeerVtep, status, reachable, ["node:hv2", "vtep:10.9.0.2"]);

    private static int Sent(MemoryPort port)
    {
        var n = 0;
        while (port.TryTakeSent(out _))
        {
            n++;
        }

        return n;
    }

    private async Task<MemoryTunnelFactory.MemoryTunnel> TunnelReadyAsync(string name)
    {
        await AwaitAssertAsync(() =>
        {
            Assert.True(_factory.Tunnels.TryGetValue(name, out var t) && t.DpPort != 0);
        });
        await AwaitAssertAsync(async () => Assert.Contains((await Fdb()).Ports, p => p.Name == name));
        return _factory.Tunnels[name];
    }

    private async Task SettleAsync(int flows, int packetOuts)
    {
        await AwaitAssertAsync(() => Assert.Equal(flows, _datapath.Flows.Count));
        await AwaitAssertAsync(() => Assert.Equal(packetOuts, _datapath.PendingPacketOuts));
        _datapath.RunOnce();
    }

    private Task<BridgeProtocol.Fdb> Fdb() => _bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb());

    private void Inject(MemoryPort port, byte[] frame)
    {
        port.Inject(frame);
        _datapath.RunOnce();
        while (_datapath.Upcalls.TryDequeue(out var upcall))
        {
            _router.Route(upcall);
        }
    }
}
