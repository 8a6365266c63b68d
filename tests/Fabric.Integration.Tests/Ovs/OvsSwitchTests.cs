using System.Text.RegularExpressions;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Ovs;

/// <summary>
/// The private Open vSwitch harness itself: it starts and stops cleanly without touching the system's OVS, forwards
/// between real namespaces over a userspace (netdev) bridge, runs LACP on a bond, and with the dummy datapath gives
/// ofproto/trace results that <see cref="OvsTrace"/> parses.
/// </summary>
public sealed partial class OvsSwitchTests(ITestOutputHelper output)
{
    private const string SystemRunDir = "/var/run/openvswitch";

    [RootFact]
    public async Task Starts_private_daemons_and_dispose_stops_them_and_removes_the_directory()
    {
        var systemRunDirExisted = Directory.Exists(SystemRunDir);
        var ovs = await OvsSwitch.StartAsync();
        int[] pids = [ovs.OvsdbPid, ovs.VswitchdPid];
        var dir = ovs.Directory;
        try
        {
            output.WriteLine($"started in {ovs.StartupTime.TotalMilliseconds:0} ms");
            Assert.True(File.Exists(ovs.DbSocket));
            Assert.True(File.Exists(ovs.VswitchdControl));
            Assert.Contains("Open vSwitch", await ovs.AppctlAsync("version"));
            Assert.Matches(@"^[0-9a-f-]{36}\s*$", await ovs.VsctlAsync("get", "Open_vSwitch", ".", "_uuid"));
            Assert.All(pids, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"daemon {pid} is not running"));
            Assert.Empty(ovs.LogProblems());
        }
        finally
        {
            await ovs.DisposeAsync();
        }

        Assert.False(Directory.Exists(dir), $"{dir} is left");
        // The test host reaped its children: no process (not even a zombie) with their PIDs.
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"daemon {pid} is still there"));
        Assert.Equal(systemRunDirExisted, Directory.Exists(SystemRunDir));
    }

    [RootFact]
    public async Task A_failed_start_throws_with_the_daemon_output_and_leaves_nothing_behind()
    {
        var missing = $"fovs-{Guid.NewGuid().ToString("N")[..6]}-none";
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => OvsSwitch.StartAsync(netns: missing));
        output.WriteLine(e.Message);
        Assert.Contains("ovs-vswitchd exited during start", e.Message);
        Assert.Contains(missing, e.Message); // ip netns exec's complaint, from the daemon's captured output
        var dir = FailedDirRegex().Match(e.Message).Groups[1].Value;
        Assert.StartsWith(Path.GetTempPath(), dir);
        Assert.False(Directory.Exists(dir), $"{dir} is left");
        // The already started ovsdb-server was stopped too.
        Assert.Equal(1, Shell.Run("pgrep", "-f", dir).ExitCode);
    }

    [RootFact]
    public async Task Failing_commands_throw_with_the_tools_error()
    {
        await using var ovs = await OvsSwitch.StartAsync();
        var vsctl = await Assert.ThrowsAsync<InvalidOperationException>(() => ovs.VsctlAsync("del-br", "no-such-br"));
        Assert.Contains("no bridge named no-such-br", vsctl.Message);
        var appctl = await Assert.ThrowsAsync<InvalidOperationException>(() => ovs.AppctlAsync("fdb/show", "no-such-br"));
        Assert.Contains("no such bridge", appctl.Message);
    }

    [RootFact]
    public async Task Two_namespaces_ping_through_a_netdev_bridge_and_fdb_show_lists_both_macs()
    {
        await using var lab = OvsLab.Create();
        var h1 = lab.AddHost(1);
        var h2 = lab.AddHost(2);
        await using var ovs = await OvsSwitch.StartAsync(netns: lab.SwitchNamespace);
        var br = lab.BridgeName();
        await ovs.VsctlAsync(
            "add-br", br, "--", "set", "bridge", br, "datapath_type=netdev",
            "--", "add-port", br, h1.PortName,
            "--", "add-port", br, h2.PortName);

        // The userspace datapath polls its new ports once it has them open: probe until the first ping gets through.
        Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(h1, h2.Ip, count: 1) == 0, TimeSpan.FromSeconds(20)), $"no ping got through OVS\n{ovs.Diagnostics()}");
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
        Assert.Equal(0, SwitchLab.Ping(h2, h1.Ip, count: 5));

        var fdb = await ovs.AppctlAsync("fdb/show", br);
        output.WriteLine(fdb);
        Assert.Contains(h1.Mac, fdb, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(h2.Mac, fdb, StringComparison.OrdinalIgnoreCase);
        output.WriteLine(string.Join('\n', ovs.LogProblems(includeWarnings: true)));
        Assert.Empty(ovs.LogProblems());
    }

    [RootFact]
    public async Task Lacp_bond_of_two_veths_is_active_and_sends_fast_lacpdus_without_a_partner()
    {
        await using var lab = OvsLab.Create();
        var a = lab.AddHost(1);
        var b = lab.AddHost(2);
        await using var ovs = await OvsSwitch.StartAsync(netns: lab.SwitchNamespace);
        var br = lab.BridgeName();
        await ovs.VsctlAsync("add-br", br, "--", "set", "bridge", br, "datapath_type=netdev");
        await using var capture = await Lab.Capture.StartAsync(a, "ether proto 0x8809");
        await ovs.VsctlAsync("add-bond", br, "bond0", a.PortName, b.PortName, "bond_mode=balance-tcp", "lacp=active", "other_config:lacp-time=fast");

        // OVS registers members "expired" (not "defaulted"), and an expired member counts as negotiated: for the first
        // 3 receive intervals (3 s fast, 90 s slow) lacp/show says "active negotiated" although nobody ever answered.
        // Once the receive timers run out the members are defaulted and the status is plain "active".
        var lacp = "";
        Assert.True(
            await SwitchLab.WaitUntilAsync(async () => StatusLine(lacp = await ovs.AppctlAsync("lacp/show", "bond0")) == "status: active", TimeSpan.FromSeconds(15)),
            $"bond never settled to plain \"status: active\":\n{lacp}");
        output.WriteLine(lacp);
        Assert.Contains("lacp_time: fast", lacp);
        Assert.Contains($"member: {a.PortName}: defaulted detached", lacp);
        Assert.Contains($"member: {b.PortName}: defaulted detached", lacp);

        // Fast timing: a PDU a second on each member. Wait (bounded) until both have sent two.
        Assert.True(
            await SwitchLab.WaitUntilAsync(async () => TxPdus(await ovs.AppctlAsync("lacp/show-stats", "bond0")) is [>= 2, >= 2], TimeSpan.FromSeconds(10)),
            $"no LACPDUs counted\n{await ovs.AppctlAsync("lacp/show-stats", "bond0")}");
        var lines = await capture.StopAsync();
        Assert.Contains(lines, l => l.Contains("LACPv1", StringComparison.Ordinal) || l.Contains("Slow Protocols", StringComparison.Ordinal));
        Assert.Empty(ovs.LogProblems());
    }

    private static string? StatusLine(string lacpShow) =>
        lacpShow.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("status:", StringComparison.Ordinal));

    private static List<long> TxPdus(string stats) =>
        TxPdusRegex().Matches(stats).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [RootFact]
    public async Task Dummy_bridge_with_an_active_backup_bond_gives_parsable_traces()
    {
        // Dummy ports are no kernel devices: no namespace needed.
        await using var ovs = await OvsSwitch.StartAsync(enableDummy: true);
        var br = "db-" + Guid.NewGuid().ToString("N")[..6];
        await ovs.VsctlAsync(
            "add-br", br, "--", "set", "bridge", br, "datapath_type=dummy",
            "--", "add-port", br, "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1",
            "--", "add-port", br, "p2", "--", "set", "interface", "p2", "type=dummy", "ofport_request=2",
            "--", "add-bond", br, "bond0", "p3", "p4", "bond_mode=active-backup",
            "--", "set", "interface", "p3", "type=dummy", "ofport_request=3",
            "--", "set", "interface", "p4", "type=dummy", "ofport_request=4");
        await ovs.AppctlAsync("bond/set-active-member", "bond0", "p3");
        var dp = await ovs.DatapathPortsAsync();

        // Broadcast from p1: flooded to the bridge's internal port, p2 and the bond's active member only.
        var flood = await ovs.TraceAsync(br, "in_port=p1,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0806");
        output.WriteLine(flood.Text);
        Assert.Single(flood.Passes);
        Assert.Equal("1", flood.MegaflowFields["in_port"]);
        Assert.Equal("ff:ff:ff:ff:ff:ff", flood.MegaflowFields["dl_dst"]);
        Assert.True(flood.MegaflowFields.ContainsKey("arp"), flood.Megaflow);
        Assert.Equal(new[] { dp[br], dp["p2"], dp["p3"] }.Order(), flood.OutputPorts.Order());

        // A frame from 02:…:09 arriving on the active member teaches the bridge that MAC is behind the bond.
        await ovs.AppctlAsync("netdev-dummy/receive", "p3", "in_port(3),eth(src=02:00:00:00:00:09,dst=02:00:00:00:00:01),eth_type(0x0806),arp(sip=10.0.0.9,tip=10.0.0.1,op=1,sha=02:00:00:00:00:09,tha=00:00:00:00:00:00)");
        Assert.True(
            await SwitchLab.WaitUntilAsync(async () => (await ovs.AppctlAsync("fdb/show", br)).Contains("02:00:00:00:00:09", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            await ovs.AppctlAsync("fdb/show", br));
        var unicast = await ovs.TraceAsync(br, "in_port=p1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:09,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.9");
        Assert.Equal(dp["p3"].ToString(System.Globalization.CultureInfo.InvariantCulture), unicast.DatapathActions);

        // Fail over: the same destination now leaves through p4.
        await ovs.AppctlAsync("bond/set-active-member", "bond0", "p4");
        var failover = await ovs.TraceAsync(br, "in_port=p1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:09,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.9");
        Assert.Equal([dp["p4"]], failover.OutputPorts);
        Assert.Empty(ovs.LogProblems());
    }

    [RootFact]
    public async Task Trace_of_a_recirculating_flow_has_one_pass_per_recirculation()
    {
        await using var ovs = await OvsSwitch.StartAsync(enableDummy: true);
        var br = "db-" + Guid.NewGuid().ToString("N")[..6];
        await ovs.VsctlAsync(
            "add-br", br, "--", "set", "bridge", br, "datapath_type=dummy",
            "--", "add-port", br, "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1",
            "--", "add-port", br, "p2", "tag=10", "--", "set", "interface", "p2", "type=dummy", "ofport_request=2");
        await ovs.OfctlAsync("add-flow", br, "table=0,priority=10,ip,actions=ct(table=1)");
        await ovs.OfctlAsync("add-flow", br, "table=1,actions=mod_vlan_vid:10,output:2");
        var dp = await ovs.DatapathPortsAsync();

        var trace = await ovs.TraceAsync(br, "in_port=p1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,ip,nw_src=10.0.0.1,nw_dst=10.0.0.2");
        output.WriteLine(trace.Text);
        Assert.Equal(2, trace.Passes.Count);
        Assert.Equal(["ct", "recirc(0x1)"], trace.Actions);
        Assert.Equal("0x1", trace.Passes[1].MegaflowFields["recirc_id"]);
        Assert.Contains(trace.Passes[1].Actions, a => a.StartsWith("push_vlan(vid=10", StringComparison.Ordinal));
        Assert.Equal([dp["p2"]], trace.Passes[1].OutputPorts);
    }

    [GeneratedRegex(@"private Open vSwitch in (\S+) did not start")]
    private static partial Regex FailedDirRegex();

    [GeneratedRegex(@"TX PDUs: (\d+)")]
    private static partial Regex TxPdusRegex();
}
