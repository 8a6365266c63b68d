using Fabric.Host.Configuration;
using Fabric.Integration.Tests.Lab;
using Fabric.Host.Configuration.Hocon;

namespace Fabric.Integration.Tests.Host;

/// <summary>The fabric executable's command line: bad configs and bad commands get one clear line and exit code 2.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fabric-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("fabric {\n  upcall {\n    flow-limit = lots\n  }\n}\n", "bad.conf:3:18: fabric.upcall.flow-limit: expected a number, got 'lots'")]
    [InlineData("fabric {\n  datapath.batch-size 32\n}\n", "bad.conf:2:23: fabric.datapath.batch-size: expected '=', ':' or '{' after the key, got '3'")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [ { name = v1, tag = 5000 } ] } ]\n", "bad.conf:1:63: fabric.bridges[0].ports[0].tag: VLAN 5000 is outside 0..4095")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [ { name = v1, type = gre } ] } ]\n", "bad.conf:1:64: fabric.bridges[0].ports[0].type: port type 'gre' is not one of: system, tap")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [ { name = v1, vlan-mode = dot1q } ] } ]\n", "bad.conf:1:69: fabric.bridges[0].ports[0].vlan-mode: vlan-mode 'dot1q' is not one of: access, trunk, native-tagged, native-untagged")]
    [InlineData("fabric.upcall.max-idle = 10sec\n", "bad.conf:1:26: fabric.upcall.max-idle")]
    public void A_config_error_names_file_line_and_column(string text, string expected)
    {
        var path = Write("bad.conf", text);
        var e = Assert.Throws<ConfigException>(() => NodeSettingsLoader.LoadFile(path));
        Assert.StartsWith(expected, Path.GetFileName(e.Message.Split(':')[0]) + e.Message[e.Message.IndexOf(':')..]);
    }

    [Fact]
    public void The_reference_config_loads_with_ovs_defaults()
    {
        var s = NodeSettingsLoader.FromConfig(ConfigReader.Empty);
        Assert.Equal(200_000, s.Datapath.FlowLimit);
        Assert.Equal(TimeSpan.FromMilliseconds(10_000), s.MaxIdle);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.RevalidateInterval);
        Assert.Equal(32, s.Datapath.BatchSize);
        Assert.Equal(100, s.Datapath.EmcInsertInvProb);
        Assert.Empty(s.Bridges);
    }

    [Fact]
    public void Native_modes_put_the_native_vlan_in_the_trunks_and_drop_vlan_0()
    {
        var s = NodeSettingsLoader.FromConfig(ConfigReader.ParseString(
            "fabric.bridges = [ { name = br0, ports = [ { name = v1, tag = 5, vlan-mode = native-untagged, trunks = [0, 20] } ] } ]"));
        var p = Assert.Single(Assert.Single(s.Bridges).Ports);
        Assert.Equal(Fabric.Actors.Bridge.VlanMode.NativeUntagged, p.Mode);
        Assert.Equal(new HashSet<int> { 5, 20 }, p.Trunks);
    }

    /// <summary>
    /// A bad config, end to end, including the defects the loader used to let through (a hang in Akka's parser, a crash in
    /// the datapath, a silently ignored key): the real binary exits 2 with one stderr line and no stack trace.
    /// </summary>
    [Theory]
    [InlineData("fabric {\n  upcall.flow-limit = lots\n}\n", ":2:23: fabric.upcall.flow-limit: expected a number, got 'lots'")]
    [InlineData("fabric {\n  datapath {\n    c = [1, 2\n}\n", ":4:1: fabric.datapath.c: expected a value or ']' in the array opened at 3:9, got '}'")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [\n  { name = v1, tgg = 5 }\n] } ]\n", ":2:22: fabric.bridges[0].ports[0].tgg: unknown setting (did you mean 'tag'?)")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [ { name = v1, tag = 5000 } ] } ]\n", ":1:63: fabric.bridges[0].ports[0].tag: VLAN 5000 is outside 0..4095")]
    [InlineData("fabric.datapath.emc-entries = 100\n", ":1:31: fabric.datapath.emc-entries: 100 is not a power of two in 2..1048576")]
    public void Fabric_run_reports_a_bad_config_in_one_line_without_a_stack_trace(string text, string expected)
    {
        var path = Write("bad.conf", text);

        var r = FabricProcess.Run("run", "--config", path);

        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"fabric run: {path}{expected}", line);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Fabric_run_with_a_missing_config_says_so()
    {
        var r = FabricProcess.Run("run", "--config", Path.Combine(_dir, "nope.conf"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nope.conf' does not exist", r.Stderr);
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (var args in new[] { new[] { "--help" }, new[] { "run", "--help" }, new[] { "ctl", "--help" } })
        {
            var r = FabricProcess.Run(args);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Usage:", r.Stdout);
        }
    }

    [Fact]
    public void Run_help_describes_the_keeper_and_its_restart_back_off()
    {
        var r = FabricProcess.Run("run", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var expected in new[] { "--keeper", "--keeper-socket", "--takeover", "restart back-off", "250 ms, doubling up to 30 s", "'fabric ctl exit' or SIGTERM to the keeper ends both" })
        {
            Assert.Contains(expected, r.Stdout.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_keeper_with_node_options_or_an_unreadable_config_says_so_in_one_line()
    {
        var config = Write("ok.conf", $"fabric.state-dir = \"{Path.Combine(_dir, "state")}\"\n");
        var both = FabricProcess.Run("run", "--config", config, "--keeper", "--takeover", "/tmp/x.sock");
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("fabric run: --keeper starts a keeper; --takeover and --keeper-socket are for the nodes it starts", both.Stderr.Trim());

        var path = Write("bad.conf", "fabric {\n  state-dir = [1, 2\n}\n");
        var bad = FabricProcess.Run("run", "--config", path, "--keeper");
        Assert.Equal(2, bad.ExitCode);
        var line = Assert.Single(bad.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"fabric run --keeper: {path}:3:1: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keeper_whose_first_node_cannot_start_exits_with_the_nodes_code_and_error()
    {
        var path = Write("tag.conf", $"fabric.state-dir = \"{Path.Combine(_dir, "state")}\"\nfabric.bridges = [ {{ name = br0, ports = [ {{ name = v1, tag = 5000 }} ] }} ]\n");
        var r = FabricProcess.Run("run", "--config", path, "--keeper");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"fabric run: {path}:2:63: fabric.bridges[0].ports[0].tag: VLAN 5000 is outside 0..4095", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("exited with code 2 before it ever forwarded: the keeper stops", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "state"), "keeper-*.sock"));
    }

    [RootFact]
    public async Task A_bad_config_or_a_bad_ctl_command_leaves_a_running_node_forwarding()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (true, null)]);
        var bad = FabricProcess.Run("run", "--config", Write("bad.conf", "fabric.control.socket = \"" + lab.Socket + "\"\nfabric.upcall.flow-limit = -5\n"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("fabric.upcall.flow-limit: -5 is outside 1..10000000", bad.Stderr);

        var verb = FabricProcess.Run("ctl", "--socket", lab.Socket, "fdb/shwo", "br0");
        Assert.Equal(2, verb.ExitCode);
        Assert.Equal("fabric ctl: 'fdb/shwo' is not a valid command (use 'fabric ctl list-commands' to see them)", verb.Stderr.Trim());

        var show = FabricProcess.Run("ctl", "--socket", lab.Socket, "fdb/show", "br0");
        Assert.Equal(0, show.ExitCode);
        Assert.StartsWith(" port  VLAN  MAC                Age", show.Stdout);

        Assert.Equal(0, SwitchLab.Ping(lab.Hosts[0], lab.Hosts[1].Ip, count: 10));
    }
}
