using System.Net;
using Akka.Actor;
using Akka.Event;
using Fabric.Datapath.Ports;
using static Fabric.Actors.Datapath.DatapathProtocol;

namespace Fabric.Actors.Cluster;

/// <summary>
/// Owns the node's VXLAN tunnel ports (DESIGN "Cluster"): for every bridge with a VNI and every peer node with a
/// VTEP, one tunnel port, created when the peer is Up, disabled (carries nothing, its MACs flushed by the bridge) while
/// it is unreachable, and removed when it is removed from the cluster. Peers are keyed by VTEP, not by incarnation: a
/// restarted peer (a new incarnation with the same VTEP) keeps the tunnel its old incarnation had, and the removal of
/// the old incarnation does not tear it down (issue 9 §3). Lives in the node's own actor system, so a downed cluster
/// actor system changes nothing here; removals are made only from a view in which this node is Up, so the first
/// views of a rejoining incarnation (itself alone, Joining) leave the tunnels in place.
/// </summary>
/// <remarks>
/// The only writer of <see cref="TunnelDirectory"/> and of tunnel ports in the datapath (through the datapath actor,
/// which journals their numbers by name). Driven by whole <see cref="ClusterView"/>s from <see cref="MembershipActor"/>.
/// </remarks>
public sealed class TunnelManagerActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// How long a peer that left gracefully (Leaving, Exiting, then Removed) keeps its tunnels, enabled, waiting for a
    /// new incarnation on the same VTEP: a node restarting with <c>fabric ctl restart</c> leaves, and its successor
    /// joins a second or two later (issue 9 §3).
    /// </summary>
    public static readonly TimeSpan DefaultRejoinGrace = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<TunnelBridge> _bridges;
    private readonly ITunnelFactory _factory;
    private readonly IActorRef _datapathActor;
    private readonly TunnelDirectory _directory;
    private readonly IPAddress _selfVtep;
    private readonly Dictionary<string, Tunnel> _tunnels = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IPAddress, (string Node, bool Graceful)> _present = new();
    private readonly Dictionary<IPAddress, (string Node, DateTimeOffset Until)> _grace = new();
    private readonly TimeSpan _rejoinGrace;
    private ClusterView _view = ClusterView.Empty;
    private string? _terminated;

    /// <summary>Creates the tunnel manager.</summary>
    /// <param name="bridges">The bridges with a VNI.</param>
    /// <param name="factory">Makes tunnel ports.</param>
    /// <param name="datapathActor">The datapath actor (or its supervisor), which numbers and removes ports.</param>
    /// <param name="directory">Where the tunnel ports are published for the bridges.</param>
    /// <param name="selfVtep">This node's VTEP (never a tunnel's remote).</param>
    /// <param name="adopted">Tunnel ports already in the datapath and the directory (taken over from a predecessor), with their ports.</param>
    /// <param name="rejoinGrace">How long a gracefully departed peer keeps its tunnels (<see cref="DefaultRejoinGrace"/> when null).</param>
    public TunnelManagerActor(
        IReadOnlyList<TunnelBridge> bridges,
        ITunnelFactory factory,
        IActorRef datapathActor,
        TunnelDirectory directory,
        IPAddress selfVtep,
        IReadOnlyList<(TunnelPort Info, IDatapathPort Port)>? adopted = null,
        TimeSpan? rejoinGrace = null)
    {
        _rejoinGrace = rejoinGrace ?? DefaultRejoinGrace;
        foreach (var (info, port) in adopted ?? [])
        {
            _tunnels[info.Name] = new Tunnel(info.Bridge, info.Name, info.Node, info.Vtep, info.Vni, port) { DpPort = info.DpPort, Enabled = info.Enabled };
        }

        _bridges = bridges;
        _factory = factory;
        _datapathActor = datapathActor;
        _directory = directory;
        _selfVtep = selfVtep;
        Receive<ClusterView>(v =>
        {
            _view = v;
            _terminated = null;
            Reconcile();
        });
        Receive<PortAdded>(OnPortAdded);
        Receive<GraceOver>(_ => Reconcile());
        Receive<Status.Failure>(f => _log.Warning("tunnels: the datapath refused a tunnel port: {0}", f.Cause.Message));
        Receive<PortRemoved>(_ => { });
        Receive<ClusterProtocol.ClusterSystemTerminated>(t =>
        {
            _terminated = t.Reason;
            _log.Warning("tunnels: the cluster actor system terminated ({0}); tunnels stay as they are until it has joined again", t.Reason);
        });
        Receive<ClusterProtocol.GetClusterView>(_ => Sender.Tell(_view with { Downed = _terminated }));
        Receive<ClusterProtocol.GetTunnels>(_ => Sender.Tell(new ClusterProtocol.Tunnels(_directory.Current)));
    }

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the tunnel manager.</summary>
    public static Props Props(
        IReadOnlyList<TunnelBridge> bridges,
        ITunnelFactory factory,
        IActorRef datapathActor,
        TunnelDirectory directory,
        IPAddress selfVtep,
        IReadOnlyList<(TunnelPort Info, IDatapathPort Port)>? adopted = null,
        TimeSpan? rejoinGrace = null) =>
        Akka.Actor.Props.Create(() => new TunnelManagerActor(bridges, factory, datapathActor, directory, selfVtep, adopted, rejoinGrace));

    /// <summary>The tunnel port name for a bridge's VNI and a peer node: <c>vxVNI-NODE</c>.</summary>
    public static string TunnelName(int vni, string node) => $"vx{vni}-{node}";

    private void Reconcile()
    {
        // Peers by VTEP: a VTEP is wanted while any of its incarnations is between Up and Removed, and reachable while
        // any such incarnation is reachable and not downed.
        var peers = new Dictionary<IPAddress, (string Node, bool Reachable)>();
        foreach (var m in _view.Members)
        {
            if (m.Vtep is not { } vtep || vtep.Equals(_selfVtep) || !(m.HasTunnel || m.Status == "Down"))
            {
                continue;
            }

            // A member that leaves gracefully forwards until it exits (its successor on the same VTEP right after):
            // Akka marks exiting members unreachable, which here does not disable their tunnels.
            var leaving = m.Status is "Leaving" or "Exiting";
            var reachable = (m.Reachable || leaving) && m.Status != "Down";
            if (peers.TryGetValue(vtep, out var known))
            {
                peers[vtep] = (reachable && !known.Reachable ? m.Node : known.Node, known.Reachable || reachable);
            }
            else
            {
                peers[vtep] = (m.Node, reachable);
            }
        }

        // A VTEP whose last member left gracefully keeps its tunnels for the rejoin grace; one that was downed does not.
        var now = Context.System.Scheduler.Now;
        if (_view.SelfUp)
        {
            foreach (var (vtep, was) in _present)
            {
                if (!peers.ContainsKey(vtep) && was.Graceful)
                {
                    _grace[vtep] = (was.Node, now + _rejoinGrace);
                    Timers.StartSingleTimer("grace-" + vtep, GraceOver.Instance, _rejoinGrace);
                    _log.Info("tunnels: {0} ({1}) left the cluster gracefully; its tunnels stay for {2} s awaiting its successor", was.Node, vtep, _rejoinGrace.TotalSeconds);
                }
            }

            _present.Clear();
            foreach (var m in _view.Members)
            {
                if (m.Vtep is { } v && peers.ContainsKey(v))
                {
                    var graceful = m.Status is "Leaving" or "Exiting";
                    _present[v] = (peers[v].Node, graceful || (_present.TryGetValue(v, out var p) && p.Graceful && p.Node == peers[v].Node && m.Status != "Up"));
                }
            }
        }

        foreach (var (vtep, g) in _grace.ToArray())
        {
            if (peers.ContainsKey(vtep) || now >= g.Until)
            {
                _grace.Remove(vtep);
            }
            else
            {
                peers[vtep] = (g.Node, true);
            }
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var changed = false;
        foreach (var b in _bridges)
        {
            foreach (var (vtep, peer) in peers)
            {
                var name = TunnelName(b.Vni, peer.Node);
                wanted.Add(name);
                if (!_tunnels.TryGetValue(name, out var t))
                {
                    var port = _factory.Create(name, vtep, b.Vni);
                    t = new Tunnel(b.Name, name, peer.Node, vtep, b.Vni, port) { Enabled = peer.Reachable };
                    _factory.SetEnabled(port, t.Enabled);
                    _tunnels[name] = t;
                    _datapathActor.Tell(new AddPort(port, 0));
                    _log.Info("tunnels: bridge {0}: adding {1} to {2} (vni {3})", b.Name, name, vtep, b.Vni);
                    continue;
                }

                if (t.Enabled != peer.Reachable)
                {
                    t.Enabled = peer.Reachable;
                    _factory.SetEnabled(t.Port, t.Enabled);
                    changed |= t.DpPort != 0;
                    _log.Info("tunnels: {0} {1} ({2} is {3})", name, t.Enabled ? "enabled" : "disabled", peer.Node, t.Enabled ? "reachable" : "unreachable");
                }
            }
        }

        if (_view.SelfUp)
        {
            foreach (var t in _tunnels.Values.Where(t => !wanted.Contains(t.Name)).ToArray())
            {
                _tunnels.Remove(t.Name);
                _factory.Detach(t.Port);
                if (t.DpPort != 0)
                {
                    _datapathActor.Tell(new RemovePort(t.DpPort));
                    changed = true;
                }

                _log.Info("tunnels: bridge {0}: removed {1} ({2} left the cluster)", t.Bridge, t.Name, t.Node);
            }
        }

        if (changed)
        {
            Publish();
        }
    }

    private void OnPortAdded(PortAdded added)
    {
        if (!_tunnels.TryGetValue(added.Name, out var t) || t.DpPort != 0)
        {
            return;
        }

        t.DpPort = added.PortNo;
        _factory.Attach(t.Port, added.PortNo);
        _factory.SetEnabled(t.Port, t.Enabled);
        Publish();
    }

    private void Publish()
    {
        _directory.Publish(_tunnels.Values
            .Where(t => t.DpPort != 0)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new TunnelPort(t.Bridge, t.Name, t.DpPort, t.Node, t.Vtep, t.Vni, t.Enabled))
            .ToArray());
        foreach (var b in _bridges)
        {
            b.Actor.Tell(ClusterProtocol.TunnelsChanged.Instance);
        }
    }

    private sealed record GraceOver
    {
        public static readonly GraceOver Instance = new();
    }

    private sealed class Tunnel(string bridge, string name, string node, IPAddress vtep, int vni, IDatapathPort port)
    {
        public string Bridge { get; } = bridge;

        public string Name { get; } = name;

        public string Node { get; } = node;

        public IPAddress Vtep { get; } = vtep;

        public int Vni { get; } = vni;

        public IDatapathPort Port { get; } = port;

        public ushort DpPort { get; set; }

        public bool Enabled { get; set; }
    }
}
