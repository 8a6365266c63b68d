using System.Net;

namespace Fabric.Host.Configuration;

/// <summary>
/// How a node joins its Akka.Cluster (<c>fabric.cluster</c>). A node without seed nodes runs alone and has no cluster
/// settings at all (<see cref="NodeSettings.Cluster"/> is null).
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>The ActorSystem name every node of a Fabric cluster uses (akka-notes §4.1: addresses are literal).</summary>
    public const string SystemName = "fabric";

    /// <summary>The IPv4 address Akka remoting binds and advertises (<c>fabric.cluster.hostname</c>): an address of this host or network namespace.</summary>
    public required IPAddress Hostname { get; init; }

    /// <summary>Akka remoting's TCP port (<c>fabric.cluster.port</c>, 1..65535).</summary>
    public required int Port { get; init; }

    /// <summary>Seed nodes in join order (<c>fabric.cluster.seed-nodes</c>); only the first one may bootstrap a new cluster.</summary>
    public required IReadOnlyList<IPEndPoint> SeedNodes { get; init; }

    /// <summary>This node's VXLAN tunnel endpoint (<c>fabric.cluster.vtep</c>, default <see cref="Hostname"/>).</summary>
    public required IPAddress Vtep { get; init; }

    /// <summary>The UDP port of VXLAN (<c>fabric.cluster.vxlan-port</c>, RFC 7348 §5: 4789).</summary>
    public required int VxlanPort { get; init; }

    /// <summary>Akka.Cluster failure detector heartbeat interval (<c>fabric.cluster.heartbeat-interval</c>).</summary>
    public required TimeSpan HeartbeatInterval { get; init; }

    /// <summary>Heartbeat pause tolerated before φ rises (<c>fabric.cluster.acceptable-heartbeat-pause</c>).</summary>
    public required TimeSpan AcceptableHeartbeatPause { get; init; }

    /// <summary>How long membership must be stable before the split-brain resolver downs the unreachable side (<c>fabric.cluster.stable-after</c>).</summary>
    public required TimeSpan StableAfter { get; init; }

    /// <summary>Wait after this node was downed before its cluster ActorSystem starts again and rejoins (<c>fabric.cluster.rejoin-after</c>).</summary>
    public required TimeSpan RejoinAfter { get; init; }

    /// <summary>The node's own address, <c>akka.tcp://fabric@HOST:PORT</c>.</summary>
    public string SelfAddress => Address(new IPEndPoint(Hostname, Port));

    /// <summary>An Akka address for <paramref name="endpoint"/> in a Fabric cluster.</summary>
    public static string Address(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return $"akka.tcp://{SystemName}@{endpoint.Address}:{endpoint.Port}";
    }
}
