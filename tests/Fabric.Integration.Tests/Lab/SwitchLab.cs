using System.Text;
using System.Text.RegularExpressions;
using Fabric.Host.Cli;
using Fabric.Host.Commands;
using Fabric.Host.Configuration;
using Fabric.Host.Control;
using Fabric.Host.Node;
using Fabric.Host.Configuration.Hocon;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fabric.Integration.Tests.Lab;

/// <summary>
/// A real-kernel lab: uniquely named namespaces, each attached to one port of a fabric bridge
/// (veth → AF_PACKET port, or a TAP device the node creates and the lab moves into the namespace),
/// an in-process fabric node with its control socket, and cleanup that runs even after failures.
/// </summary>
public sealed partial class SwitchLab : IAsyncDisposable
{
    private readonly List<string> _namespaces = new();
    private readonly List<string> _links = new();
    private readonly string _dir;
    private ControlServer? _server;
    private bool _offloadsOff;

    private SwitchLab(string id)
    {
        Id = id;
        _dir = Directory.CreateTempSubdirectory("fabric-lab-").FullName;
        Socket = Path.Combine(_dir, "fabric.ctl");
    }

    public string Id { get; }

    public string Socket { get; }

    public FabricNode Node { get; private set; } = null!;

    public List<LabHost> Hosts { get; } = new();

    public string Subnet { get; private set; } = "";

    /// <summary>The node's config file.</summary>
    public string ConfigPath { get; private set; } = "";

    /// <summary>Where a process node's output goes.</summary>
    public string LogPath => Path.Combine(_dir, "fabric.log");

    /// <summary>The node's state directory (its SQLite journal lives there).</summary>
    public string StateDir => Path.Combine(_dir, "state");

    /// <summary>The running <c>fabric run</c> process of a process lab (null for in-process labs).</summary>
    public FabricNodeProcess? Process { get; private set; }

    /// <summary>Starts the node process again (after it exited or was killed) and waits for its socket.</summary>
    public async Task RestartAsync()
    {
        if (Process is { } old)
        {
            await old.DisposeAsync();
        }

        Process = await FabricNodeProcess.StartAsync(ConfigPath, Socket, LogPath);
    }

    /// <summary>
    /// Builds a lab with one host per entry of <paramref name="hosts"/> (tap?, VLAN tag) on bridge br0,
    /// in subnet 10.(random).(random).0/24, and starts the fabric.
    /// </summary>
    /// <param name="hosts">Per host: attach through a TAP port (else veth/AF_PACKET), and its access VLAN.</param>
    /// <param name="extraConfig">HOCON lines added inside <c>fabric { }</c>.</param>
    /// <param name="shards">Flow-table shards per bridge.</param>
    /// <param name="asProcess">Run the node as a real <c>fabric run</c> process (restart tests) instead of in-process.</param>
    /// <param name="keeper">With <paramref name="asProcess"/>: <c>fabric run --keeper</c>, so <see cref="Process"/> is the keeper and the node its child.</param>
    /// <param name="offloadsOff">Turn the checksum and segmentation offloads off on every veth and TAP (<see cref="OffloadsOff"/>), for the tests of that path; by default they stay as the kernel sets them (on).</param>
    /// <param name="portOptions">Per host index: HOCON fields added to its port entry (e.g. <c>vnet-headers = off</c>).</param>
    public static async Task<SwitchLab> StartAsync(IReadOnlyList<(bool Tap, int? Tag)> hosts, string extraConfig = "", int shards = 2, bool asProcess = false, bool keeper = false, bool offloadsOff = false, IReadOnlyDictionary<int, string>? portOptions = null)
    {
        var id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        var lab = new SwitchLab(id) { _offloadsOff = offloadsOff };
        try
        {
            lab.Subnet = $"10.{Random.Shared.Next(100, 200)}.{Random.Shared.Next(1, 250)}";
            for (var i = 0; i < hosts.Count; i++)
            {
                var n = i + 1;
                var ns = $"fabt-{id}-h{n}";
                var port = hosts[i].Tap ? $"ft{n}-{id}" : $"fv{n}-{id}";
                var host = new LabHost(ns, port, $"{lab.Subnet}.{n}", $"02:{Convert.ToInt32(id[..2], 16):x2}:{Convert.ToInt32(id[2..4], 16):x2}:00:00:{n:x2}", hosts[i].Tap, hosts[i].Tag);
                lab.Hosts.Add(host);
                Shell.Must("ip", "netns", "add", ns);
                lab._namespaces.Add(ns);
                // No IPv6 chatter (router solicitations, MLD, DAD) that would teach the fabric MACs behind the tests' back.
                Shell.InNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
                Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
                if (!host.Tap)
                {
                    Shell.Must("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
                    lab._links.Add(port);
                    Shell.Must("ip", "link", "set", port, "up");
                    lab.OffloadsOffIfAsked(null, port);
                    lab.ConfigureEth0(host);
                }
            }

            var sb = new StringBuilder();
            sb.Append("fabric {\n  node-name = lab-").Append(id).Append('\n');
            sb.Append("  state-dir = \"").Append(lab.StateDir).Append("\"\n");
            sb.Append("  control.socket = \"").Append(lab.Socket).Append("\"\n");
            sb.Append("  upcall.shards-per-bridge = ").Append(shards).Append('\n');
            sb.Append("  bridges = [ { name = br0, ports = [\n");
            for (var i = 0; i < lab.Hosts.Count; i++)
            {
                var h = lab.Hosts[i];
                sb.Append("    { name = ").Append(h.PortName);
                if (portOptions is not null && portOptions.TryGetValue(i, out var options))
                {
                    sb.Append(", ").Append(options);
                }

                if (h.Tap)
                {
                    sb.Append(", type = tap");
                }

                if (h.Tag is int tag)
                {
                    sb.Append(", tag = ").Append(tag);
                }

                sb.Append(" }\n");
            }

            sb.Append("  ] } ]\n").Append(extraConfig).Append("}\n");
            lab.ConfigPath = Path.Combine(lab._dir, "fabric.conf");
            File.WriteAllText(lab.ConfigPath, sb.ToString());
            if (asProcess)
            {
                // A TAP device lives as long as a descriptor of it: across `fabric ctl restart` (handed over), not
                // across exit or SIGKILL.
                lab.Process = await FabricNodeProcess.StartAsync(lab.ConfigPath, lab.Socket, lab.LogPath, keeper);
                lab.MoveTapsIntoHosts();
                return lab;
            }

            var settings = NodeSettingsLoader.FromConfig(ConfigReader.ParseString(sb.ToString(), "lab.conf"));
            lab.Node = await FabricNode.StartAsync(settings, NullLoggerFactory.Instance);
            var registry = new ControlCommandRegistry();
            NodeCommands.Register(registry, lab.Node, _ => lab.Node.RequestStop());
            lab._server = new ControlServer(lab.Socket, registry, NullLogger.Instance);
            await lab._server.StartAsync(CancellationToken.None);

            lab.MoveTapsIntoHosts();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node created the TAP devices; hands each to its host's namespace as eth0.</summary>
    private void MoveTapsIntoHosts()
    {
        foreach (var h in Hosts.Where(h => h.Tap))
        {
            Shell.Must("ip", "link", "set", h.PortName, "netns", h.Namespace);
            Shell.Must("ip", "-n", h.Namespace, "link", "set", h.PortName, "name", "eth0");
            ConfigureEth0(h);
        }
    }

    private void ConfigureEth0(LabHost h)
    {
        Shell.Must("ip", "-n", h.Namespace, "link", "set", "eth0", "address", h.Mac);
        Shell.Must("ip", "-n", h.Namespace, "addr", "add", h.Ip + "/24", "dev", "eth0");
        Shell.Must("ip", "-n", h.Namespace, "link", "set", "eth0", "up");
        OffloadsOffIfAsked(h.Namespace, "eth0");
    }

    private void OffloadsOffIfAsked(string? ns, string dev)
    {
        if (_offloadsOff)
        {
            OffloadsOff(ns, dev);
        }
    }

    /// <summary>
    /// Turns checksum and segmentation offloads off on <paramref name="dev"/> (in namespace <paramref name="ns"/>, null
    /// for this one), for tests of the offloads-off path and for links to a switch that reads only complete frames (OVS's
    /// userspace datapath); does nothing without ethtool.
    /// </summary>
    public static void OffloadsOff(string? ns, string dev)
    {
        if (!Shell.Has("ethtool"))
        {
            return;
        }

        string[] args = ["-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off"];
        _ = ns is null ? Shell.Run("ethtool", args) : Shell.InNs(ns, "ethtool", args);
    }

    /// <summary>Pings from host <paramref name="from"/> to <paramref name="toIp"/>; returns the loss in percent.</summary>
    public static double Ping(LabHost from, string toIp, int count = 10, double interval = 0.05)
    {
        var r = Shell.InNs(from.Namespace, "ping", "-q", "-c", count.ToString(), "-i", interval.ToString(System.Globalization.CultureInfo.InvariantCulture), "-W", "1", toIp);
        var m = LossRegex().Match(r.Stdout);
        return m.Success ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 100;
    }

    /// <summary>Sends a control command over the node's real Unix socket.</summary>
    public async Task<ControlReply> Ctl(string command, params string[] args) =>
        await ControlClient.SendAsync(Socket, command, args, TimeSpan.FromSeconds(10));

    /// <summary>Polls <paramref name="condition"/> every 50 ms until true or <paramref name="timeout"/>; returns the last result.</summary>
    public static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls the asynchronous <paramref name="condition"/> until true or <paramref name="timeout"/>; returns the last result.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>How often WaitUntil re-checks a kernel-side condition (there is no event to await for it).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (Process is not null)
        {
            await Process.DisposeAsync();

            // A node that took over with `fabric ctl restart` is not the process started here: stop it by its socket,
            // and whatever still runs this lab's configuration by force.
            if (File.Exists(Socket))
            {
                try
                {
                    await ControlClient.SendAsync(Socket, "exit", [], TimeSpan.FromSeconds(5));
                    await WaitUntil(() => !File.Exists(Socket), TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
                {
                    // Nobody answers: the kill below.
                }
            }

            Shell.Run("pkill", "-KILL", "-f", ConfigPath);
        }

        LabTeardown.Remove(_namespaces, _links, _dir);
    }

    [GeneratedRegex(@"([0-9.]+)% packet loss")]
    private static partial Regex LossRegex();
}
