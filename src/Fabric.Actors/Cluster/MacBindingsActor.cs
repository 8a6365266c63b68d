using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Fabric.Actors.Bridge;
using static Akka.Cluster.ClusterEvent;

namespace Fabric.Actors.Cluster;

/// <summary>
/// Shares MAC bindings across the cluster with Akka.DistributedData (issue 8 §3): every
/// <see cref="PublishInterval"/> it reads each tunnelled bridge's MAC table and publishes the addresses learned on
/// local ports in one <c>LWWDictionary</c> per VNI (<c>macs-vni-N</c>: key <c>VLAN/MAC</c>, value
/// <c>NODE@INCARNATION</c>), written locally and spread by gossip; it subscribes to the same keys and hands each bridge
/// the other nodes' bindings, so peers send unicast straight to the right tunnel without flooding first. When a member
/// is removed, the leader deletes the bindings of that incarnation (a new incarnation of the same node publishes its own).
/// </summary>
/// <remarks>Runs in the cluster actor system; the bridges it reads and tells live in the node's own actor system.</remarks>
public sealed class MacBindingsActor : ReceiveActor, IWithTimers
{
    /// <summary>How often local MAC tables are read and their changes published.</summary>
    public static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(500);

    private readonly IReadOnlyList<TunnelBridge> _bridges;
    private readonly string _node;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly Dictionary<string, HashSet<string>> _published = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Creates the actor.</summary>
    /// <param name="bridges">The bridges with a VNI.</param>
    /// <param name="node">This node's name.</param>
    public MacBindingsActor(IReadOnlyList<TunnelBridge> bridges, string node)
    {
        _bridges = bridges;
        _node = node;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _replicator = DistributedData.Get(Context.System).Replicator;
        Receive<Tick>(_ =>
        {
            foreach (var b in _bridges)
            {
                b.Actor.Tell(new BridgeProtocol.GetFdb());
            }
        });
        Receive<BridgeProtocol.Fdb>(Publish);
        Receive<Changed>(OnChanged);
        Receive<MemberRemoved>(OnRemoved);
        Receive<IMemberEvent>(_ => { });
        Receive<CurrentClusterState>(_ => { });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateResponse>(r => _log.Warning("mac bindings: update of {0} failed: {1}", r.Key, r));
    }

    /// <summary>Timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor.</summary>
    public static Props Props(IReadOnlyList<TunnelBridge> bridges, string node) => Akka.Actor.Props.Create(() => new MacBindingsActor(bridges, node));

    /// <summary>The DistributedData key of a VNI's bindings.</summary>
    public static LWWDictionaryKey<string, string> KeyOf(int vni) => new($"macs-vni-{vni}");

    /// <summary>The dictionary key of a binding: <c>VLAN/MAC</c> (MAC as 12 hex digits).</summary>
    public static string EntryKey(int vlan, ulong mac) => $"{vlan}/{mac:x12}";

    /// <inheritdoc />
    protected override void PreStart()
    {
        foreach (var b in _bridges)
        {
            _replicator.Tell(Dsl.Subscribe(KeyOf(b.Vni), Self));
        }

        _cluster.Subscribe(Self, InitialStateAsSnapshot, typeof(MemberRemoved));
        Timers.StartPeriodicTimer("publish", Tick.Instance, PublishInterval);
    }

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private string Incarnation => $"{_node}@{_cluster.SelfUniqueAddress.Uid}";

    private void Publish(BridgeProtocol.Fdb fdb)
    {
        var bridge = _bridges.FirstOrDefault(b => b.Name == fdb.Bridge);
        if (bridge is null)
        {
            return;
        }

        var local = fdb.Ports.Where(p => p.RemoteNode is null).Select(p => p.OfPort).ToHashSet();
        var now = fdb.Entries.Where(e => local.Contains(e.OfPort)).Select(e => EntryKey(e.Vlan, e.Mac)).ToHashSet(StringComparer.Ordinal);
        var before = _published.GetValueOrDefault(fdb.Bridge) ?? new HashSet<string>(StringComparer.Ordinal);
        var added = now.Where(k => !before.Contains(k)).ToArray();
        var removed = before.Where(k => !now.Contains(k)).ToArray();
        if (added.Length == 0 && removed.Length == 0)
        {
            return;
        }

        var value = Incarnation;
        var cluster = _cluster;
        _replicator.Tell(Dsl.Update(KeyOf(bridge.Vni), LWWDictionary<string, string>.Empty, WriteLocal.Instance, d =>
        {
            foreach (var k in added)
            {
                d = d.SetItem(cluster, k, value);
            }

            foreach (var k in removed)
            {
                d = d.Remove(cluster, k);
            }

            return d;
        }));
        _published[fdb.Bridge] = now;
    }

    private void OnChanged(Changed changed)
    {
        foreach (var b in _bridges)
        {
            var key = KeyOf(b.Vni);
            if (!changed.Key.Equals(key))
            {
                continue;
            }

            var dict = changed.Get(key);
            var macs = new List<RemoteMac>(dict.Count);
            foreach (var (entry, owner) in dict.Entries)
            {
                var at = owner.LastIndexOf('@');
                var node = at < 0 ? owner : owner[..at];
                var slash = entry.IndexOf('/', StringComparison.Ordinal);
                if (node == _node || slash < 0
                    || !int.TryParse(entry.AsSpan(0, slash), out var vlan)
                    || !ulong.TryParse(entry.AsSpan(slash + 1), System.Globalization.NumberStyles.HexNumber, null, out var mac))
                {
                    continue;
                }

                macs.Add(new RemoteMac(vlan, mac, node));
            }

            b.Actor.Tell(new BridgeProtocol.RemoteMacs(macs));
        }
    }

    private void OnRemoved(MemberRemoved removed)
    {
        if (_cluster.State.Leader != _cluster.SelfAddress)
        {
            return;
        }

        var (node, _) = MembershipActor.FromRoles(removed.Member.Roles);
        if (node is null)
        {
            return;
        }

        var gone = $"{node}@{removed.Member.UniqueAddress.Uid}";
        var cluster = _cluster;
        foreach (var b in _bridges)
        {
            _replicator.Tell(Dsl.Update(KeyOf(b.Vni), LWWDictionary<string, string>.Empty, WriteLocal.Instance, d =>
            {
                foreach (var (k, v) in d.Entries)
                {
                    if (v == gone)
                    {
                        d = d.Remove(cluster, k);
                    }
                }

                return d;
            }));
        }
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
