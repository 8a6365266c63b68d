using System.Text;
using System.Text.RegularExpressions;
using Fabric.Host.Control;
using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Cluster;

/// <summary>
/// Three hypervisors (network namespaces) joined by an underlay (a Linux bridge in its own namespace), each running
/// its own <c>fabric run</c> process clustered over the underlay, with two VMs behind it: tenant A on bridge
/// <c>bra</c> (VNI 100) and tenant B on bridge <c>brb</c> (VNI 200), all six VMs in one IPv4 subnet so that only
/// the VNIs keep the tenants apart. Names are unique per lab; everything is deleted on dispose, even after a failure.
/// </summary>
public sealed partial class ClusterLab : IAsyncDisposable
{
    /// <summary>Tenant A's VNI.</summary>
    public const int VniA = 100;

    /// <summary>Tenant B's VNI.</summary>
    public const int VniB = 200;

    private readonly string _dir;
    private readonly List<string> _namespaces = new();

    private ClusterLab(string id)
    {
        Id = id;
        _dir = Directory.CreateTempSubdirectory($"fabric-cluster-{id}-").FullName;
        Underlay = $"fabc-{id}-ul";
    }

    /// <summary>The lab's unique id (in every name).</summary>
    public string Id { get; }

    /// <summary>The underlay namespace.</summary>
    public string Underlay { get; }

    /// <summary>The hypervisors, hv1..hvN.</summary>
    public List<ClusterLabNode> Nodes { get; } = new();

    /// <summary>Builds the namespaces and writes each node's configuration; starts no process.</summary>
    /// <param name="nodes">Hypervisors.</param>
    /// <param name="secondVmOn">The hypervisor (1-based) that also gets a second VM of tenant A, for local traffic; 0 = none.</param>
    public static ClusterLab Create(int nodes = 3, int secondVmOn = 0)
    {
        var id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        var lab = new ClusterLab(id);
        try
        {
            var underlay = $"10.{Random.Shared.Next(100, 200)}.{Random.Shared.Next(1, 250)}";
            var overlay = $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(1, 250)}";
            lab.AddNamespace(lab.Underlay);
            Shell.Must("ip", "-n", lab.Underlay, "link", "add", "br-ul", "type", "bridge");
            Shell.Must("ip", "-n", lab.Underlay, "link", "set", "br-ul", "up");
            var seeds = string.Join(", ", Enumerable.Range(1, nodes).Select(n => $"\"{underlay}.{n}:4051\""));
            for (var n = 1; n <= nodes; n++)
            {
                var hv = $"fabc-{id}-hv{n}";
                lab.AddNamespace(hv);
                Shell.Must("ip", "link", "add", $"fu{n}-{id}", "netns", lab.Underlay, "type", "veth", "peer", "name", "eth0", "netns", hv);
                Shell.Must("ip", "-n", lab.Underlay, "link", "set", $"fu{n}-{id}", "master", "br-ul", "up");
                Shell.Must("ip", "-n", hv, "addr", "add", $"{underlay}.{n}/24", "dev", "eth0");
                Shell.Must("ip", "-n", hv, "link", "set", "eth0", "up");
                var a = lab.AddVm(hv, n, 'a', $"{overlay}.{10 + n}");
                var b = lab.AddVm(hv, n, 'b', $"{overlay}.{20 + n}");
                var a2 = n == secondVmOn ? lab.AddVm(hv, n, 'c', $"{overlay}.{30 + n}") : null;
                var node = new ClusterLabNode
                {
                    Index = n,
                    Namespace = hv,
                    UnderlayIp = $"{underlay}.{n}",
                    Socket = Path.Combine(lab._dir, $"hv{n}.ctl"),
                    ConfigPath = Path.Combine(lab._dir, $"hv{n}.conf"),
                    LogPath = Path.Combine(lab._dir, $"hv{n}.log"),
                    TenantA = a,
                    TenantB = b,
                    TenantA2 = a2,
                };
                File.WriteAllText(node.ConfigPath, Config(node, Path.Combine(lab._dir, $"hv{n}-state"), seeds));
                lab.Nodes.Add(node);
            }

            return lab;
        }
        catch
        {
            lab.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Starts node <paramref name="node"/>'s fabric process in its namespace and waits for its control socket.</summary>
    public async Task StartAsync(ClusterLabNode node)
    {
        node.Process = await FabricNodeProcess.StartAsync(node.ConfigPath, node.Socket, node.LogPath, netns: node.Namespace);
    }

    /// <summary>Starts every node, first seed first.</summary>
    public async Task StartAllAsync()
    {
        foreach (var n in Nodes)
        {
            await StartAsync(n);
        }
    }

    /// <summary>Cuts (or mends) hypervisor <paramref name="node"/>'s link to the underlay: a partition.</summary>
    public void SetUnderlayLink(ClusterLabNode node, bool up) =>
        Shell.Must("ip", "-n", Underlay, "link", "set", $"fu{node.Index}-{Id}", up ? "up" : "down");

    /// <summary>Sends a control command to <paramref name="node"/>.</summary>
    public static Task<ControlReply> Ctl(ClusterLabNode node, string command, params string[] args) =>
        ControlClient.SendAsync(node.Socket, command, args, TimeSpan.FromSeconds(10));

    /// <summary>
    /// The members <c>cluster/show</c> on <paramref name="node"/> lists: node name → (status, reachable, and for an
    /// unreachable member how long ago the node learned it, in ms).
    /// </summary>
    public static async Task<Dictionary<string, (string Status, bool Reachable, long? UnreachableForMs)>> MembersAsync(ClusterLabNode node)
    {
        var reply = await Ctl(node, "cluster/show");
        var members = new Dictionary<string, (string, bool, long?)>(StringComparer.Ordinal);
        if (!reply.IsOk)
        {
            return members;
        }

        foreach (Match m in MemberRow().Matches(reply.Output))
        {
            long? forMs = m.Groups["for"].Success ? long.Parse(m.Groups["for"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            members[m.Groups["node"].Value] = (m.Groups["status"].Value, m.Groups["reachable"].Value == "yes", forMs);
        }

        return members;
    }

    /// <summary>Waits until <paramref name="node"/> sees <paramref name="count"/> members Up and reachable.</summary>
    public static Task<bool> WaitForUpAsync(ClusterLabNode node, int count, TimeSpan timeout) =>
        SwitchLab.WaitUntilAsync(async () => (await MembersAsync(node)).Values.Count(v => v is ("Up", true, _)) == count, timeout);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes)
        {
            if (n.Process is { } p)
            {
                await p.DisposeAsync();
            }

            // A node restarted with ctl restart runs in a successor process the lab did not start.
            Shell.Run("pkill", "-KILL", "-f", n.ConfigPath);
        }

        foreach (var ns in _namespaces)
        {
            Shell.Run("ip", "netns", "del", ns);
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A log still open; the temporary directory goes with the machine.
        }
    }

    private static string Config(ClusterLabNode node, string stateDir, string seeds)
    {
        var sb = new StringBuilder();
        sb.Append("fabric {\n");
        sb.Append("  node-name = ").Append(node.Name).Append('\n');
        sb.Append("  state-dir = \"").Append(stateDir).Append("\"\n");
        sb.Append("  control.socket = \"").Append(node.Socket).Append("\"\n");
        sb.Append("  cluster { seed-nodes = [").Append(seeds).Append("], hostname = \"").Append(node.UnderlayIp).Append("\" }\n");
        sb.Append("  bridges = [\n");
        sb.Append("    { name = bra, vni = ").Append(VniA).Append(", ports = [ { name = ").Append(node.TenantA.PortName).Append(" }");
        if (node.TenantA2 is { } second)
        {
            sb.Append(", { name = ").Append(second.PortName).Append(" }");
        }

        sb.Append(" ] }\n");
        sb.Append("    { name = brb, vni = ").Append(VniB).Append(", ports = [ { name = ").Append(node.TenantB.PortName).Append(" } ] }\n");
        sb.Append("  ]\n}\n");
        return sb.ToString();
    }

    private void AddNamespace(string ns)
    {
        Shell.Must("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        Shell.InNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /// <summary>
    /// A VM namespace with eth0, whose veth peer <c>v{tenant}{n}</c> is in the hypervisor's namespace (tenant 'a' and
    /// 'c' are tenant A's first and second VM, 'b' tenant B's).
    /// </summary>
    private LabHost AddVm(string hv, int n, char tenant, string ip)
    {
        var vm = $"fabc-{Id}-v{n}{tenant}";
        AddNamespace(vm);
        var port = $"v{tenant}{n}";
        Shell.Must("ip", "-n", hv, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", vm);
        Shell.Must("ip", "-n", hv, "link", "set", port, "up");
        var mac = $"02:{Convert.ToInt32(Id[..2], 16):x2}:{Convert.ToInt32(Id[2..4], 16):x2}:{tenant switch { 'a' => 0x0a, 'b' => 0x0b, _ => 0x0c }:x2}:00:{n:x2}";
        var host = new LabHost(vm, port, ip, mac, false, null);
        Shell.Must("ip", "-n", vm, "link", "set", "eth0", "address", mac);
        Shell.Must("ip", "-n", vm, "addr", "add", ip + "/24", "dev", "eth0");
        // VXLAN adds 50 bytes; a 1450-byte VM MTU keeps every tunnelled frame inside the 1500-byte underlay.
        Shell.Must("ip", "-n", vm, "link", "set", "eth0", "mtu", "1450", "up");
        return host;
    }

    [GeneratedRegex(@"^(?<node>hv\d+)\s+\S+\s+(?<status>\w+)\s+(?<reachable>yes|no)(?: \(for (?<for>\d+) ms\))?\s", RegexOptions.Multiline)]
    private static partial Regex MemberRow();
}
