using System.Globalization;
using System.Text;
using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Cluster;
using Fabric.Host.Control;
using Fabric.Host.Node;

namespace Fabric.Host.Commands;

/// <summary>
/// The cluster verbs: <c>cluster/show</c> (members, status, reachability, roles, VTEP, tunnel ports and the MACs
/// learned through them) and <c>tnl/ports/show</c> (every tunnel port with its remote VTEP, VNI, state and counters),
/// named after OVS's <c>ovs-appctl tnl/ports/show</c>.
/// </summary>
public static class ClusterCommands
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers the cluster verbs of <paramref name="node"/> in <paramref name="registry"/>.</summary>
    public static void Register(ControlCommandRegistry registry, FabricNode node)
    {
        registry.Register("cluster/show", "", "cluster members: status, reachability, roles, VTEP, tunnel ports and MACs learned through them", (_, _) => Show(node), 0, 0);
        registry.Register("tnl/ports/show", "", "VXLAN tunnel ports: remote VTEP, VNI, state, packets and bytes", (_, _) => Task.FromResult(TunnelPorts(node)), 0, 0);
    }

    private static async Task<ControlReply> Show(FabricNode node)
    {
        if (node.Settings.Cluster is not { } cluster)
        {
            return ControlReply.Error("this node is not clustered (fabric.cluster.seed-nodes is empty)");
        }

        var view = await node.TunnelManager.Ask<ClusterView>(new ClusterProtocol.GetClusterView(), AskTimeout).ConfigureAwait(false);
        var macsByPort = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var b in node.Bridges)
        {
            var fdb = await b.Actor.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), AskTimeout).ConfigureAwait(false);
            foreach (var p in fdb.Ports.Where(p => p.RemoteNode is not null))
            {
                macsByPort[p.Name] = fdb.Entries.Count(e => e.OfPort == p.OfPort);
            }
        }

        var peers = new Dictionary<string, ClusterProtocol.PeerStatus>(StringComparer.Ordinal);
        if (node.Membership is { } membership)
        {
            var asks = view.Members
                .Where(m => m.Reachable && !(m.Address == view.Self && m.Uid == view.SelfUid))
                .Select(async m => (m.Address, Status: await membership.PeerStatusAsync(m.Address, TimeSpan.FromMilliseconds(300)).ConfigureAwait(false)))
                .ToArray();
            foreach (var (address, status) in await Task.WhenAll(asks).ConfigureAwait(false))
            {
                if (status is not null)
                {
                    peers[address] = status;
                }
            }
        }

        return ControlReply.Ok(Format(view, cluster.SelfAddress, node.Tunnels.Current, macsByPort, peers));
    }

    /// <summary>
    /// The text of <c>cluster/show</c>: a header line, then one row per member: node, address, status, reachable,
    /// VTEP, this node's tunnel ports to it (<c>NAME:DP_PORT</c>, <c>(down)</c> while unreachable), the MACs learned
    /// through them, what the member itself says it sees (members Up, its tunnels up/down; from
    /// <paramref name="peers"/>, asked over remoting), and its roles.
    /// </summary>
    public static string Format(ClusterView view, string selfAddress, IReadOnlyList<TunnelPort> tunnels, IReadOnlyDictionary<string, int> macsByPort, IReadOnlyDictionary<string, ClusterProtocol.PeerStatus> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(tunnels);
        ArgumentNullException.ThrowIfNull(macsByPort);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"cluster fabric: self {selfAddress}, incarnation {view.Incarnations}, leader {view.Leader ?? "none"}\n");
        if (view.Downed is { } downed)
        {
            text.Append(CultureInfo.InvariantCulture, $"this node was downed ({downed}); forwarding goes on, rejoining\n");
        }

        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rows = new List<string[]> { new[] { "node", "address", "status", "reachable", "vtep", "tunnel ports", "macs", "it sees", "roles" } };
        foreach (var m in view.Members)
        {
            var self = m.Address == view.Self && m.Uid == view.SelfUid;
            var mine = tunnels.Where(t => m.Vtep is not null && t.Vtep.Equals(m.Vtep)).ToArray();
            rows.Add(
            [
                m.Node,
                m.Address,
                m.Status,
                m.Reachable ? "yes" : m.UnreachableSinceMs is long since ? $"no (for {Math.Max(0, nowMs - since)} ms)" : "no",
                m.Vtep?.ToString() ?? "-",
                self ? "(self)" : mine.Length == 0 ? "-" : string.Join(",", mine.Select(t => $"{t.Name}:{t.DpPort}{(t.Enabled ? "" : "(down)")}")),
                self ? "-" : mine.Sum(t => macsByPort.GetValueOrDefault(t.Name)).ToString(CultureInfo.InvariantCulture),
                peers.TryGetValue(m.Address, out var p) ? $"{p.MembersUp} up, tunnels {p.TunnelsUp}/{p.TunnelsUp + p.TunnelsDown}" : "-",
                string.Join(",", m.Roles),
            ]);
        }

        AppendTable(text, rows);
        return text.ToString().TrimEnd('\n');
    }

    private static ControlReply TunnelPorts(FabricNode node)
    {
        var rows = new List<string[]> { new[] { "port", "bridge", "dp_port", "remote_ip", "key", "state", "tx_packets", "tx_bytes", "tx_dropped" } };
        foreach (var t in node.Tunnels.Current)
        {
            var c = node.Datapath.GetPort(t.DpPort)?.Counters;
            rows.Add(
            [
                t.Name,
                t.Bridge,
                t.DpPort.ToString(CultureInfo.InvariantCulture),
                t.Vtep.ToString(),
                t.Vni.ToString(CultureInfo.InvariantCulture),
                t.Enabled ? "up" : "down",
                (c?.TxPackets ?? 0).ToString(CultureInfo.InvariantCulture),
                (c?.TxBytes ?? 0).ToString(CultureInfo.InvariantCulture),
                (c?.TxDropped ?? 0).ToString(CultureInfo.InvariantCulture),
            ]);
        }

        var text = new StringBuilder();
        if (node.Settings.Cluster is { } cluster)
        {
            text.Append(CultureInfo.InvariantCulture, $"vxlan endpoint {cluster.Vtep}:{cluster.VxlanPort}\n");
        }

        AppendTable(text, rows);
        return ControlReply.Ok(text.ToString().TrimEnd('\n'));
    }

    private static void AppendTable(StringBuilder text, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var r in rows)
        {
            for (var i = 0; i < r.Length; i++)
            {
                widths[i] = Math.Max(widths[i], r[i].Length);
            }
        }

        foreach (var r in rows)
        {
            for (var i = 0; i < r.Length; i++)
            {
                text.Append(i == r.Length - 1 ? r[i] : r[i].PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }
    }
}
