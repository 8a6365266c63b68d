using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Ovs;

/// <summary>
/// A private Open vSwitch for real-kernel tests (an oracle to compare the fabric with, and an LACP partner): its own
/// database, ovsdb-server and ovs-vswitchd in a fresh temporary directory, reached only through the sockets there
/// (<c>db.sock</c>, <c>ovs-vswitchd.ctl</c>). It never uses /var/run/openvswitch, the system database or any system
/// service, so it coexists with a system OVS and with other instances.
/// </summary>
/// <remarks>
/// The kernel has no openvswitch module: bridges must use <c>datapath_type=netdev</c> (userspace datapath; veth ports
/// of the default type are read and written through netdev-linux sockets) or, with <c>enableDummy</c>,
/// <c>datapath_type=dummy</c> with <c>type=dummy</c> ports (no kernel devices at all; packets are injected with
/// <c>netdev-dummy/receive</c> and forwarding is inspected with <c>ofproto/trace</c>).
/// The netdev datapath creates kernel TAP devices in ovs-vswitchd's network namespace: one named <c>ovs-netdev</c>
/// and one per bridge (its internal port). Two netdev instances in one namespace would fight over <c>ovs-netdev</c>,
/// so run a netdev instance in its own namespace (<c>netns</c>) and give bridges unique names.
/// </remarks>
public sealed partial class OvsSwitch : IAsyncDisposable
{
    /// <summary>Where Debian's openvswitch-common puts the schema.</summary>
    public const string SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema";

    /// <summary>How long a single ovs-vsctl/ovs-appctl call may take (passed to the tool as --timeout too).</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a daemon may take to open its sockets.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Dictionary<string, string> _environment;
    private OvsDaemon? _ovsdb;
    private OvsDaemon? _vswitchd;

    private OvsSwitch(string dir, string? netns, bool enableDummy)
    {
        Directory = dir;
        Namespace = netns;
        DummyEnabled = enableDummy;
        // Every default path the OVS programs derive (pidfiles, ctl sockets, bridge .mgmt/.snoop sockets, logs, the
        // database, system-id/SSL files) points into the private directory; only the read-only schema stays put.
        _environment = new Dictionary<string, string>
        {
            ["OVS_RUNDIR"] = dir,
            ["OVS_DBDIR"] = dir,
            ["OVS_LOGDIR"] = dir,
            ["OVS_SYSCONFDIR"] = dir,
            ["OVS_PKGDATADIR"] = Path.GetDirectoryName(SchemaPath)!,
        };
    }

    /// <summary>The private directory (database, sockets, pidfiles, logs); deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The network namespace ovs-vswitchd runs in, or null for the test host's namespace.</summary>
    public string? Namespace { get; }

    /// <summary>Whether ovs-vswitchd was started with <c>--enable-dummy</c> (dummy datapath and netdev types).</summary>
    public bool DummyEnabled { get; }

    /// <summary>The database socket, for <c>ovs-vsctl --db=unix:…</c>.</summary>
    public string DbSocket => Path.Combine(Directory, "db.sock");

    /// <summary>ovs-vswitchd's unixctl socket, for <c>ovs-appctl -t …</c>.</summary>
    public string VswitchdControl => Path.Combine(Directory, "ovs-vswitchd.ctl");

    /// <summary>ovsdb-server's unixctl socket.</summary>
    public string OvsdbControl => Path.Combine(Directory, "ovsdb-server.ctl");

    /// <summary>ovs-vswitchd's log file.</summary>
    public string VswitchdLog => Path.Combine(Directory, "ovs-vswitchd.log");

    /// <summary>ovsdb-server's log file.</summary>
    public string OvsdbLog => Path.Combine(Directory, "ovsdb-server.log");

    /// <summary>ovsdb-server's PID.</summary>
    public int OvsdbPid => _ovsdb?.Pid ?? 0;

    /// <summary>ovs-vswitchd's PID.</summary>
    public int VswitchdPid => _vswitchd?.Pid ?? 0;

    /// <summary>How long <see cref="StartAsync"/> took, from creating the directory to ovs-vswitchd having applied the database.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>
    /// Creates the private directory and database, starts ovsdb-server and ovs-vswitchd and returns once ovs-vswitchd
    /// answers on its control socket and has applied the (empty) configuration. On failure everything started is
    /// stopped and the directory removed before the exception (with the daemons' output) propagates.
    /// </summary>
    /// <param name="netns">Run ovs-vswitchd in this existing network namespace (needed when its ports are veth ends
    /// living there); ovsdb-server and the sockets stay in the file system, reachable from anywhere.</param>
    /// <param name="enableDummy">Start ovs-vswitchd with <c>--enable-dummy</c>: adds the <c>dummy</c> datapath type and
    /// <c>dummy</c> interface type next to the real ones (not <c>=override</c>, which would replace the real ones).</param>
    public static async Task<OvsSwitch> StartAsync(string? netns = null, bool enableDummy = false)
    {
        if (!File.Exists(SchemaPath))
        {
            throw new InvalidOperationException($"{SchemaPath} is missing: run lab/ensure-packages.sh --tests (installs openvswitch-switch)");
        }

        var clock = Stopwatch.StartNew();
        var ovs = new OvsSwitch(System.IO.Directory.CreateTempSubdirectory("fabric-ovs-").FullName, netns, enableDummy);
        try
        {
            await ovs.RunToolAsync("ovsdb-tool", "create", Path.Combine(ovs.Directory, "conf.db"), SchemaPath);
            ovs._ovsdb = OvsDaemon.Start(
                "ovsdb-server",
                [
                    Path.Combine(ovs.Directory, "conf.db"),
                    $"--remote=punix:{ovs.DbSocket}",
                    $"--pidfile={Path.Combine(ovs.Directory, "ovsdb-server.pid")}",
                    $"--unixctl={ovs.OvsdbControl}",
                    $"--log-file={ovs.OvsdbLog}",
                    "--no-chdir",
                ],
                ovs._environment,
                netns: null);
            await ovs.WaitForSocketAsync(ovs._ovsdb, ovs.DbSocket);
            await ovs.VsctlNoWaitAsync("init");

            var args = new List<string>
            {
                $"unix:{ovs.DbSocket}",
                $"--pidfile={Path.Combine(ovs.Directory, "ovs-vswitchd.pid")}",
                $"--unixctl={ovs.VswitchdControl}",
                $"--log-file={ovs.VswitchdLog}",
                "--no-chdir",
            };
            if (enableDummy)
            {
                args.Add("--enable-dummy");
            }

            ovs._vswitchd = OvsDaemon.Start("ovs-vswitchd", args, ovs._environment, netns);
            await ovs.WaitForSocketAsync(ovs._vswitchd, ovs.VswitchdControl);
            // A change made without --no-wait returns once ovs-vswitchd has applied it (cur_cfg caught up with
            // next_cfg): it is connected to the database and configured. (A read-only ovs-vsctl would not wait.)
            await ovs.VsctlAsync("set", "Open_vSwitch", ".", $"external_ids:fabric-ovs-dir=\"{ovs.Directory}\"");
            ovs.StartupTime = clock.Elapsed;
            return ovs;
        }
        catch (Exception e)
        {
            var diagnostics = ovs.Diagnostics();
            await ovs.DisposeAsync();
            throw new InvalidOperationException($"private Open vSwitch in {ovs.Directory} did not start: {e.Message}\n{diagnostics}", e);
        }
    }

    /// <summary>Runs <c>ovs-vsctl --db=unix:DIR/db.sock --timeout=30 ARGS</c> (waits for ovs-vswitchd to apply a change) and returns stdout; throws with stderr on failure.</summary>
    public Task<string> VsctlAsync(params string[] args) =>
        RunToolAsync("ovs-vsctl", [$"--db=unix:{DbSocket}", $"--timeout={(int)CommandTimeout.TotalSeconds}", .. args]);

    /// <summary>Runs <c>ovs-appctl -t DIR/ovs-vswitchd.ctl --timeout=30 ARGS</c> and returns stdout; throws with stderr on failure.</summary>
    public Task<string> AppctlAsync(params string[] args) =>
        RunToolAsync("ovs-appctl", ["-t", VswitchdControl, $"--timeout={(int)CommandTimeout.TotalSeconds}", .. args]);

    /// <summary>Runs <c>ovs-ofctl ARGS</c> with the bridge's management socket (<c>DIR/BRIDGE.mgmt</c>) as target: <c>OfctlAsync("add-flow", "br", "…")</c>.</summary>
    public Task<string> OfctlAsync(string command, string bridge, params string[] args) =>
        RunToolAsync("ovs-ofctl", [$"--timeout={(int)CommandTimeout.TotalSeconds}", command, $"unix:{Path.Combine(Directory, bridge + ".mgmt")}", .. args]);

    /// <summary>Runs <c>ovs-appctl ofproto/trace BRIDGE FLOW [EXTRA…]</c> and parses the result.</summary>
    public async Task<OvsTrace> TraceAsync(string bridge, string flow, params string[] extra) =>
        OvsTrace.Parse(await AppctlAsync(["ofproto/trace", bridge, flow, .. extra]));

    /// <summary>
    /// The datapath port number of every port (from <c>dpif/show</c>), by port name: "Datapath actions:" name datapath
    /// ports, which need not equal the OpenFlow port numbers (the dummy datapath numbers its ports in creation order).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> DatapathPortsAsync()
    {
        var ports = new Dictionary<string, int>();
        foreach (Match m in DpifPortRegex().Matches(await AppctlAsync("dpif/show")))
        {
            ports[m.Groups[1].Value] = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return ports;
    }

    /// <summary>The ERR/EMER lines of ovs-vswitchd's log (and WARN lines when <paramref name="includeWarnings"/>).</summary>
    public IReadOnlyList<string> LogProblems(bool includeWarnings = false)
    {
        if (!File.Exists(VswitchdLog))
        {
            return [];
        }

        return File.ReadAllLines(VswitchdLog)
            .Where(l => l.Contains("|ERR|", StringComparison.Ordinal) || l.Contains("|EMER|", StringComparison.Ordinal) || (includeWarnings && l.Contains("|WARN|", StringComparison.Ordinal)))
            .ToList();
    }

    /// <summary>Both daemons' output and the tails of their logs, for failure messages.</summary>
    public string Diagnostics()
    {
        var parts = new List<string>();
        foreach (var d in new[] { _ovsdb, _vswitchd })
        {
            if (d is not null && d.Output.Length > 0)
            {
                parts.Add($"--- {d.Name} output ---\n{d.Output.TrimEnd()}");
            }
        }

        foreach (var log in new[] { OvsdbLog, VswitchdLog })
        {
            if (File.Exists(log))
            {
                parts.Add($"--- {Path.GetFileName(log)} (tail) ---\n{string.Join('\n', File.ReadLines(log).TakeLast(30))}");
            }
        }

        return string.Join('\n', parts);
    }

    private Task<string> VsctlNoWaitAsync(params string[] args) =>
        RunToolAsync("ovs-vsctl", [$"--db=unix:{DbSocket}", "--no-wait", $"--timeout={(int)CommandTimeout.TotalSeconds}", .. args]);

    /// <summary>Polls until the daemon has created <paramref name="socket"/> and a client can connect; fails early if it exits.</summary>
    private async Task WaitForSocketAsync(OvsDaemon daemon, string socket)
    {
        var up = await SwitchLab.WaitUntil(() => daemon.HasExited || (File.Exists(socket) && CanConnect(socket)), StartTimeout);
        if (daemon.HasExited)
        {
            daemon.DrainOutputAfterExit();
            throw new InvalidOperationException($"{daemon.Name} exited during start");
        }

        if (!up)
        {
            throw new TimeoutException($"{daemon.Name} did not open {socket} within {StartTimeout.TotalSeconds} s");
        }
    }

    private static bool CanConnect(string socket)
    {
        try
        {
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Runs an OVS client tool with the private environment; returns stdout, throws with stderr on a non-zero exit.</summary>
    private async Task<string> RunToolAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in _environment)
        {
            psi.Environment[key] = value;
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(CommandTimeout + TimeSpan.FromSeconds(5)))
        {
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
                throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish: {await stderr}");
            }
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {(await stderr).Trim()} {(await stdout).Trim()}".TrimEnd());
        }

        return await stdout;
    }

    /// <summary>Stops ovs-vswitchd, then ovsdb-server (each SIGTERM, SIGKILL after 10 s), and deletes the private directory.</summary>
    public async ValueTask DisposeAsync()
    {
        // vswitchd first: on SIGTERM it removes its datapath's TAP devices, and it still has the database to talk to.
        if (_vswitchd is not null)
        {
            await _vswitchd.DisposeAsync();
            _vswitchd = null;
        }

        if (_ovsdb is not null)
        {
            await _ovsdb.DisposeAsync();
            _ovsdb = null;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    // "    p1 1/1: (dummy)", "    bond0-a 2/3: (system)"; the datapath line ("dummy@ovs-dummy: hit:…") has no port numbers.
    [GeneratedRegex(@"^\s+(\S+) (?:\d+|none)/(\d+):", RegexOptions.Multiline)]
    private static partial Regex DpifPortRegex();
}
