using System.Text.RegularExpressions;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Restart;

/// <summary>
/// <c>fabric ctl restart</c>: the running node hands its live port descriptors (an AF_PACKET socket and a TAP device)
/// to a successor process, which restores the journal and starts reading only when the old one has stopped; frames in
/// between wait in the kernel. Measured with a 1 ms UDP stream with sequence numbers between two namespaces.
/// </summary>
public sealed partial class HandoverRestartTests(ITestOutputHelper output)
{
    private static async Task WaitForNodeAsync(SwitchLab lab) =>
        Assert.True(await SwitchLab.WaitUntilAsync(async () => File.Exists(lab.Socket) && await Answers(lab), TimeSpan.FromSeconds(30)), "no node answers after the restart");

    private static async Task<bool> Answers(SwitchLab lab)
    {
        try
        {
            return (await lab.Ctl("list-commands")).IsOk;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    [RootFact]
    public async Task Ten_restarts_lose_no_datagram_through_an_af_packet_and_a_tap_port_and_need_no_upcall()
    {
        await using var lab = await RestartLab.StartAsync();
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        await using (var warm = await UdpStream.StartAsync(h1, h2, 200))
        {
            await warm.CompleteAsync(TimeSpan.FromSeconds(30));
        }

        var before = RestartLab.Matches((await lab.Ctl("dpctl/dump-flows")).Output);
        await using var stream = await UdpStream.StartAsync(h1, h2, 16_000);
        var pids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var reply = await lab.Ctl("restart");
            Assert.True(reply.IsOk, reply.Output + "\n" + string.Join("\n", File.ReadLines(lab.LogPath).TakeLast(40)));
            output.WriteLine(reply.Output);
            pids.Add(PidRegex().Match(reply.Output).Groups[1].Value);
            await WaitForNodeAsync(lab);
        }

        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"10 restarts: {result.Line}");
        Assert.Equal(0, result.Lost);
        Assert.Equal(16_000, result.Received);
        Assert.Equal(10, pids.Distinct().Count());

        // The last successor took the table over: the same megaflows (the reverse one, idle since the warm-up, may have
        // aged out on a slow run), and the stream needed no upcall.
        var after = RestartLab.Matches((await lab.Ctl("dpctl/dump-flows")).Output);
        Assert.NotEmpty(after);
        Assert.All(after, f => Assert.Contains(f, before));
        var upcalls = (await lab.Ctl("upcall/show")).Output;
        output.WriteLine(upcalls);
        Assert.All(RestartLab.ShardUpcalls(upcalls), n => Assert.Equal(0, n));
        var persistence = (await lab.Ctl("persistence/show")).Output;
        output.WriteLine(persistence);

        // The last successor says whom it took over from (the node the last restart replaced) and what waited for it.
        Assert.StartsWith($"taken over from pid {pids[^2]} in ", StartLines.Started(persistence), StringComparison.Ordinal);
        Assert.Equal(int.Parse(pids[^1], System.Globalization.CultureInfo.InvariantCulture), StartLines.Pid(persistence));
        var waited = StartLines.Switch(persistence);
        Assert.NotNull(waited);
        Assert.True(waited.Waiting >= 0 && waited.Waiting == waited.AfPacket + waited.Tap, persistence);
        Assert.Equal(0, waited.Dropped);
        Assert.Contains("    started: \"taken over from pid", (await lab.Ctl("show")).Output, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Upgrades_to_another_build_lose_no_datagram()
    {
        await using var lab = await RestartLab.StartAsync();
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);

        // "Another build": a copy of the published output in its own directory, started with restart --exec.
        var build = Directory.CreateTempSubdirectory("fabric-build-").FullName;
        try
        {
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(FabricProcess.Dll)!))
            {
                File.Copy(f, Path.Combine(build, Path.GetFileName(f)));
            }

            foreach (var d in Directory.GetDirectories(Path.GetDirectoryName(FabricProcess.Dll)!))
            {
                Shell.Must("cp", "-r", d, build);
            }

            await using var stream = await UdpStream.StartAsync(h1, h2, 8000);
            for (var i = 0; i < 3; i++)
            {
                var reply = await lab.Ctl("restart", "--exec", Path.Combine(build, "fabric.dll"));
                Assert.True(reply.IsOk, reply.Output);
                output.WriteLine(reply.Output);
                await WaitForNodeAsync(lab);
            }

            var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"3 upgrades: {result.Line}");
            Assert.Equal(0, result.Lost);
            Assert.Contains(build, File.ReadAllText($"/proc/{PidOf(lab)}/cmdline").Replace('\0', ' '), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    /// <summary>The pid of the newest process running the lab's configuration: the node that took over last.</summary>
    private static int PidOf(SwitchLab lab)
    {
        var r = Shell.Must("pgrep", "-n", "-f", lab.ConfigPath);
        return int.Parse(r.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [RootFact]
    public async Task A_successor_that_cannot_start_leaves_the_running_node_forwarding_and_the_command_fails()
    {
        await using var lab = await RestartLab.StartAsync();
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var config = await File.ReadAllTextAsync(lab.ConfigPath);
        await using var stream = await UdpStream.StartAsync(h1, h2, 4000);

        // The successor reads the configuration first: a broken file makes it fail, and the running node carries on.
        await File.WriteAllTextAsync(lab.ConfigPath, config.Replace("bridges = [", "bridges = [ { name = br0, ports = [ { name = x, tag = 5000 } ] }, ", StringComparison.Ordinal));
        var reply = await lab.Ctl("restart");
        output.WriteLine(reply.Output);
        Assert.False(reply.IsOk);
        Assert.Contains("tag", reply.Output, StringComparison.Ordinal);
        Assert.Contains("goes on forwarding", reply.Output, StringComparison.Ordinal);
        Assert.False(lab.Process!.HasExited);

        // Restored, the same node restarts fine afterwards (its journal was handed back).
        await File.WriteAllTextAsync(lab.ConfigPath, config);
        var ok = await lab.Ctl("restart");
        Assert.True(ok.IsOk, ok.Output);
        await WaitForNodeAsync(lab);
        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(result.Line);
        Assert.Equal(0, result.Lost);
    }

    [RootFact]
    public async Task A_successor_killed_during_recovery_leaves_the_running_node_forwarding_and_journaling()
    {
        await using var lab = await RestartLab.StartAsync();
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var oldPid = lab.Process!.Pid;
        await using var stream = await UdpStream.StartAsync(h1, h2, 5000);

        // The successor is killed as soon as the running node has handed the journal over, i.e. while it recovers.
        var restart = lab.Ctl("restart");
        Assert.True(await SwitchLab.WaitUntil(() => File.ReadAllText(lab.LogPath).Contains("journal handed over at sequence", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), "no hand-over started");
        var successor = Shell.Must("pgrep", "-n", "-f", lab.ConfigPath).Trim();
        Assert.NotEqual(oldPid.ToString(System.Globalization.CultureInfo.InvariantCulture), successor);
        Shell.Must("kill", "-KILL", successor);

        var reply = await restart;
        output.WriteLine(reply.Output);
        Assert.False(reply.IsOk);
        Assert.Contains("goes on forwarding", reply.Output, StringComparison.Ordinal);
        Assert.False(lab.Process.HasExited);

        // It journals again: a restart after that takes over the flows installed meanwhile.
        Assert.True(await SwitchLab.WaitUntil(() => File.ReadAllText(lab.LogPath).Contains("journaling again from a snapshot", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
        var ok = await lab.Ctl("restart");
        Assert.True(ok.IsOk, ok.Output);
        await WaitForNodeAsync(lab);
        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(result.Line);
        Assert.Equal(0, result.Lost);
    }

    [RootFact]
    public async Task Ten_sigkills_come_back_warm_and_the_loss_of_each_is_counted()
    {
        // Without a keeper nobody holds the ports while no process runs: a crash loses the frames of its outage (the
        // AF_PACKET socket dies with the process). Measured and reported here; the next start restores the table.
        var lab = await SwitchLab.StartAsync([(false, null), (false, null)], asProcess: true);
        await using (lab)
        {
            var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
            Shell.Must("ip", "-n", h1.Namespace, "neigh", "replace", h2.Ip, "lladdr", h2.Mac, "dev", "eth0", "nud", "permanent");
            Shell.Must("ip", "-n", h2.Namespace, "neigh", "replace", h1.Ip, "lladdr", h1.Mac, "dev", "eth0", "nud", "permanent");
            Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(h1, h2.Ip, count: 1) == 0, TimeSpan.FromSeconds(20)), "no ping got through a fresh node");
            // The ping's packets leave before their megaflows are installed (the poll thread translates a first packet
            // and sends it at once; the install follows): wait for the reply's, the last the bridge passes on (learning
            // h2 deleted the request's flooding one before it).
            IReadOnlyList<string> before = [];
            Assert.True(
                await SwitchLab.WaitUntilAsync(
                    async () =>
                    {
                        before = RestartLab.Matches((await lab.Ctl("dpctl/dump-flows")).Output);
                        return before.Any(f => f.Contains("in_port(2)", StringComparison.Ordinal));
                    },
                    TimeSpan.FromSeconds(10)),
                "the ping's megaflows were not installed: " + string.Join("; ", before));
            var lost = new List<long>();
            for (var i = 0; i < 10; i++)
            {
                // The receiver listens long enough for a restart on a loaded machine (the sender, a process of its
                // own, may itself take most of a second to start sending).
                await using var stream = await UdpStream.StartAsync(h1, h2, 3000, listenSeconds: 7);
                // Some datagrams cross before the crash.
                Assert.True(await DatapathHits.WaitForAsync(async () => (await lab.Ctl("dpctl/show")).Output, 100, TimeSpan.FromSeconds(20)), "the stream did not reach the node");
                lab.Process!.Kill();
                Assert.True(await lab.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
                File.Delete(lab.Socket);
                await lab.RestartAsync();
                var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
                output.WriteLine($"SIGKILL {i + 1}: {result.Line}");
                Assert.True(result.Received > 0, result.Line);
                lost.Add(result.Lost);
                var persistence = (await lab.Ctl("persistence/show")).Output;
                Assert.Contains("started        : warm from the journal", persistence, StringComparison.Ordinal);
            }

            output.WriteLine($"10 SIGKILLs without a keeper: {lost.Sum()} datagrams lost in all (median {lost.Order().ElementAt(5)} per crash)");

            // Warm: the stream's megaflow came back from the journal each time (the reverse one may have idled out).
            var after = RestartLab.Matches((await lab.Ctl("dpctl/dump-flows")).Output);
            Assert.Contains(after, f => before.Contains(f));
        }
    }

    [GeneratedRegex(@"restarted: pid (\d+)")]
    private static partial Regex PidRegex();
}
