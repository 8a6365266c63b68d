using System.Net;
using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace Fabric.Actors.Cluster;

/// <summary>
/// Follows Akka.Cluster membership inside the node's cluster actor system: it subscribes to member and reachability
/// events (initial state as a snapshot), keeps every member's status and reachability, and after each change sends the
/// whole <see cref="ClusterView"/> to the tunnel manager, which lives in the node's own actor system and so outlives a
/// downed cluster system. Sending whole views (never deltas) lets a new incarnation's first view put everything right.
/// </summary>
public sealed class MembershipActor : ReceiveActor
{
    private readonly IActorRef _tunnels;
    private readonly TunnelDirectory _directory;
    private readonly string _node;
    private readonly int _incarnation;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly Dictionary<UniqueAddress, long> _unreachable = new();
    private Address? _leader;

    /// <summary>Creates the actor.</summary>
    /// <param name="tunnels">The tunnel manager, told every new view.</param>
    /// <param name="directory">The node's tunnel ports (counted in <see cref="ClusterProtocol.PeerStatus"/>).</param>
    /// <param name="node">This node's name.</param>
    /// <param name="incarnation">How many cluster actor systems this process has started, this one included.</param>
    public MembershipActor(IActorRef tunnels, TunnelDirectory directory, string node, int incarnation)
    {
        _tunnels = tunnels;
        _directory = directory;
        _node = node;
        _incarnation = incarnation;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<CurrentClusterState>(s =>
        {
            _members.Clear();
            _unreachable.Clear();
            foreach (var m in s.Members)
            {
                _members[m.UniqueAddress] = m;
            }

            foreach (var m in s.Unreachable)
            {
                _unreachable.TryAdd(m.UniqueAddress, NowMs);
            }

            _leader = s.Leader;
            Publish();
        });
        Receive<IMemberEvent>(e =>
        {
            if (e is MemberRemoved)
            {
                _members.Remove(e.Member.UniqueAddress);
                _unreachable.Remove(e.Member.UniqueAddress);
            }
            else
            {
                _members[e.Member.UniqueAddress] = e.Member;
            }

            Publish();
        });
        Receive<UnreachableMember>(e =>
        {
            _unreachable.TryAdd(e.Member.UniqueAddress, NowMs);
            _members[e.Member.UniqueAddress] = e.Member;
            Publish();
        });
        Receive<ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            _members[e.Member.UniqueAddress] = e.Member;
            Publish();
        });
        Receive<LeaderChanged>(e =>
        {
            _leader = e.Leader;
            Publish();
        });
        Receive<ClusterProtocol.GetClusterView>(_ => Sender.Tell(View()));
        Receive<ClusterProtocol.GetPeerStatus>(_ =>
        {
            var tunnels = _directory.Current;
            var up = _members.Count(kv => kv.Value.Status == MemberStatus.Up && !_unreachable.ContainsKey(kv.Key));
            Sender.Tell(new ClusterProtocol.PeerStatus(_node, _incarnation, up, tunnels.Count(t => t.Enabled), tunnels.Count(t => !t.Enabled)));
        });
    }

    /// <summary>Props for the actor.</summary>
    public static Props Props(IActorRef tunnels, TunnelDirectory directory, string node, int incarnation) =>
        Akka.Actor.Props.Create(() => new MembershipActor(tunnels, directory, node, incarnation));

    /// <summary>The node name and VTEP carried by a member's roles (<c>node:NAME</c>, <c>vtep:IP</c>).</summary>
    public static (string? Node, IPAddress? Vtep) FromRoles(IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        string? node = null;
        IPAddress? vtep = null;
        foreach (var role in roles)
        {
            if (role.StartsWith(ClusterMember.NodeRole, StringComparison.Ordinal))
            {
                node = role[ClusterMember.NodeRole.Length..];
            }
            else if (role.StartsWith(ClusterMember.VtepRole, StringComparison.Ordinal) && IPAddress.TryParse(role.AsSpan(ClusterMember.VtepRole.Length), out var ip))
            {
                vtep = ip;
            }
        }

        return (node, vtep);
    }

    /// <inheritdoc />
    protected override void PreStart() =>
        _cluster.Subscribe(Self, InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent), typeof(LeaderChanged));

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void Publish() => _tunnels.Tell(View());

    private ClusterView View()
    {
        var members = new List<ClusterMember>(_members.Count);
        foreach (var (ua, m) in _members.OrderBy(kv => kv.Key.Address.ToString(), StringComparer.Ordinal))
        {
            var (node, vtep) = FromRoles(m.Roles);
            members.Add(new ClusterMember(
                ua.Address.ToString(),
                ua.Uid,
                node ?? ua.Address.ToString(),
                vtep,
                m.Status.ToString(),
                !_unreachable.ContainsKey(ua),
                m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToArray())
            {
                UnreachableSinceMs = _unreachable.TryGetValue(ua, out var since) ? since : null,
            });
        }

        return new ClusterView(_cluster.SelfAddress.ToString(), _cluster.SelfUniqueAddress.Uid, members, _leader?.ToString(), _incarnation);
    }
}
