using System.Globalization;
using System.Text.RegularExpressions;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Restart;

/// <summary>
/// <c>fabric run --keeper</c>: a keeper process runs the node as its child and holds its port descriptors (an AF_PACKET
/// socket and a TAP device), so that a kill -9 of the node leaves the frames waiting in the kernel until the node the
/// keeper starts next takes the ports over and comes back warm from the journal. Measured with a 1 ms UDP stream with
/// sequence numbers from h1 (veth, AF_PACKET) to h2 (TAP).
/// </summary>
public sealed partial class KeeperRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Kills the node serving the lab now (SIGKILL) once the stream's datagrams are crossing it; returns its pid.</summary>
    private static async Task<int> KillNodeUnderTrafficAsync(SwitchLab lab)
    {
        var victim = await StartLines.NodePidAsync(lab);
        var hits = await HitsAsync(lab);
        Assert.True(await SwitchLab.WaitUntilAsync(async () => await HitsAsync(lab) >= hits + 100, TimeSpan.FromSeconds(20)), "the stream did not reach the node");
        Shell.Must("kill", "-KILL", victim.ToString(CultureInfo.InvariantCulture));
        return victim;
    }

    /// <summary>
    /// A short stream each way, then waits until every megaflow is journaled: a crash then loses no flow, and the frames
    /// that wait for the next node need no upcall (which a node only routes once its bridges are up).
    /// </summary>
    private static async Task WarmAsync(SwitchLab lab)
    {
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        await using (var forth = await UdpStream.StartAsync(h1, h2, 300))
        await using (var back = await UdpStream.StartAsync(h2, h1, 300, port: 5001))
        {
            await forth.CompleteAsync(TimeSpan.FromSeconds(30));
            await back.CompleteAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(await SwitchLab.WaitUntilAsync(async () => (await lab.Ctl("persistence/show")).Output.Contains("(pending 0)", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
    }

    private static async Task<long> HitsAsync(SwitchLab lab) =>
        DatapathHits.Parse((await lab.Ctl("dpctl/show")).Output);

    [RootFact]
    public async Task Ten_sigkills_under_a_keeper_lose_at_most_the_datagram_in_flight_through_an_af_packet_and_a_tap_port()
    {
        await using var lab = await RestartLab.StartAsync(keeper: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var keeper = lab.Process!.Pid;
        await WarmAsync(lab);
        var lost = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            // Each crash is measured on a warm node: the restarted node must have its bridges up and both megaflows
            // (one may have idled out on a loaded machine) before the streams start, or their first frames are upcalls
            // that an unpublished bridge drops — a loss of the start-up, not of the crash.
            await WarmAsync(lab);

            // A stream each way, so that frames wait in the AF_PACKET socket (h1 → h2) and in the TAP queue (h2 → h1).
            await using var forth = await UdpStream.StartAsync(h1, h2, 2000);
            await using var back = await UdpStream.StartAsync(h2, h1, 2000, port: 5001);
            var victim = await KillNodeUnderTrafficAsync(lab);
            var persistence = await StartLines.WaitForNodeOtherThanAsync(lab, victim, NodeTimeout);
            var there = await forth.CompleteAsync(TimeSpan.FromSeconds(60));
            var here = await back.CompleteAsync(TimeSpan.FromSeconds(60));
            var switchOver = StartLines.Switch(persistence);
            output.WriteLine($"kill -9 {i + 1} (pid {victim}): h1→h2 {there.Line}; h2→h1 {here.Line}; {(switchOver is { } s ? $"no reader for {s.NoReaderMs} ms, {s.Waiting} frames waiting (AF_PACKET {s.AfPacket}, TAP {s.Tap}), {s.Dropped} dropped" : "?")}");
            lost.Add(4000 - there.Received - here.Received);

            // A SIGKILL leaves the node no time to send what it has read: the datagram it was forwarding at that instant
            // (at most one each way, a 1 ms stream apart) may be lost. Everything that arrived during the outage waited
            // in the sockets the keeper held (without a keeper, this outage loses some 2,000 each way).
            Assert.True(there.Lost <= 1 && here.Lost <= 1, $"kill -9 {i + 1}: h1→h2 {there.Line}; h2→h1 {here.Line}");

            // The keeper restarted it with the ports it held, warm: nothing dropped by a full buffer, the TAP device (h2's eth0) intact.
            Assert.StartsWith($"restarted by keeper pid {keeper} after a crash (pid {victim} killed by signal 9 (SIGKILL)); warm from the journal (", StartLines.Started(persistence), StringComparison.Ordinal);
            Assert.NotNull(switchOver);
            Assert.True(switchOver.Waiting >= 0 && switchOver.Waiting == switchOver.AfPacket + switchOver.Tap, persistence);
            Assert.True(switchOver.Tap > 0, persistence);
            Assert.Equal(0, switchOver.Dropped);
        }

        output.WriteLine($"10 SIGKILLs under a keeper: {lost.Sum()} datagrams lost in all ({string.Join(", ", lost)} per crash)");
        Assert.False(lab.Process.HasExited);
    }

    [RootFact]
    public async Task A_node_the_keeper_restarts_after_a_crash_has_the_same_megaflows_and_needs_no_upcall_for_existing_traffic()
    {
        await using var lab = await RestartLab.StartAsync(keeper: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        await WarmAsync(lab);
        var before = RestartLab.Matches((await lab.Ctl("dpctl/dump-flows")).Output);
        Assert.NotEmpty(before);

        await using var stream = await UdpStream.StartAsync(h1, h2, 3000);
        var victim = await KillNodeUnderTrafficAsync(lab);
        var persistence = await StartLines.WaitForNodeOtherThanAsync(lab, victim, NodeTimeout);
        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(result.Line);
        output.WriteLine(persistence);
        Assert.Equal(0, result.Lost);
        Assert.Equal(3000, result.Received);

        Assert.Contains($"warm from the journal ({before.Count} megaflows)", StartLines.Started(persistence), StringComparison.Ordinal);
        Assert.Equal(before, RestartLab.Matches((await lab.Ctl("dpctl/dump-flows")).Output));
        var upcalls = (await lab.Ctl("upcall/show")).Output;
        output.WriteLine(upcalls);
        Assert.All(RestartLab.ShardUpcalls(upcalls), n => Assert.Equal(0, n));

        // ctl show says the same, and names the keeper.
        var show = (await lab.Ctl("show")).Output;
        Assert.Contains($"    started: \"restarted by keeper pid {lab.Process!.Pid} after a crash (pid {victim} ", show, StringComparison.Ordinal);
        Assert.Contains("    switch_over: \"no reader for ", show, StringComparison.Ordinal);
        Assert.Contains($"    keeper: \"pid {lab.Process.Pid} ", show, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Ctl_restart_under_a_keeper_hands_over_and_the_keeper_then_watches_the_successor()
    {
        await using var lab = await RestartLab.StartAsync(keeper: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var keeper = lab.Process!.Pid;
        var old = await StartLines.NodePidAsync(lab);
        await using var stream = await UdpStream.StartAsync(h1, h2, 8000);

        var reply = await lab.Ctl("restart");
        output.WriteLine(reply.Output);
        Assert.True(reply.IsOk, reply.Output + "\n" + string.Join("\n", File.ReadLines(lab.LogPath).TakeLast(40)));
        var successor = int.Parse(RestartedRegex().Match(reply.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        var persistence = await StartLines.WaitForNodeOtherThanAsync(lab, old, NodeTimeout);
        output.WriteLine(persistence);
        Assert.Equal(successor, StartLines.Pid(persistence));
        Assert.StartsWith($"taken over from pid {old} in ", StartLines.Started(persistence), StringComparison.Ordinal);
        Assert.True(StartLines.Switch(persistence) is { Waiting: >= 0, Dropped: 0 }, persistence);
        Assert.Contains($"keeper pid {keeper} holds 2 port descriptors", persistence, StringComparison.Ordinal);
        Assert.True(await SwitchLab.WaitUntil(() => !Directory.Exists($"/proc/{old}"), TimeSpan.FromSeconds(30)), "the old node did not exit");

        // The orderly hand-over loses nothing: the old node sent all it had read before the successor took the ports.
        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(result.Line);
        Assert.Equal(0, result.Lost);
        Assert.Equal(8000, result.Received);

        // The keeper is the successor's parent and watches it: a crash of it is restarted from the kept descriptors,
        // and forwarding resumes. (No stream runs across this kill: a SIGKILL loses whatever frame the node had read
        // and not yet sent, a window that a node forwarding for a fraction of a second, with its code not yet tiered
        // up, holds open for longer; the ten-SIGKILL test above measures that loss on warm nodes.)
        Assert.Equal(keeper, ParentOf(successor));
        Shell.Must("kill", "-KILL", successor.ToString(CultureInfo.InvariantCulture));
        persistence = await StartLines.WaitForNodeOtherThanAsync(lab, successor, NodeTimeout);
        output.WriteLine(persistence);
        Assert.StartsWith($"restarted by keeper pid {keeper} after a crash (pid {successor} killed by signal 9 (SIGKILL))", StartLines.Started(persistence), StringComparison.Ordinal);
        await WarmAsync(lab);
        await using var after = await UdpStream.StartAsync(h1, h2, 1000);
        var resumed = await after.CompleteAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(resumed.Line);
        Assert.Equal(1000, resumed.Received);
    }

    [RootFact]
    public async Task Ctl_exit_ends_the_node_and_the_keeper_and_the_tap_device_goes_with_them()
    {
        await using var lab = await RestartLab.StartAsync(keeper: true);
        var node = await StartLines.NodePidAsync(lab);
        var reply = await lab.Ctl("exit");
        Assert.True(reply.IsOk, reply.Output);
        Assert.True(await lab.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the keeper did not exit");
        Assert.Equal(0, lab.Process.ExitCode);
        Assert.False(Directory.Exists($"/proc/{node}"));
        Assert.NotEqual(0, Shell.Run("ip", "-n", lab.Hosts[1].Namespace, "link", "show", "eth0").ExitCode);
        Assert.Empty(Directory.GetFiles(lab.StateDir, "keeper-*.sock"));
        Assert.Contains("(fabric ctl exit): the keeper ends with it", await File.ReadAllTextAsync(lab.LogPath), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_node_that_keeps_failing_is_restarted_with_a_growing_back_off_while_the_keeper_holds_the_ports()
    {
        await using var lab = await RestartLab.StartAsync(keeper: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var config = await File.ReadAllTextAsync(lab.ConfigPath);

        // Every node the keeper starts now fails at its configuration, before it forwards.
        await File.WriteAllTextAsync(lab.ConfigPath, config.Replace("bridges = [", "bridges = [ { name = br9, ports = [ { name = x, tag = 5000 } ] }, ", StringComparison.Ordinal));
        var victim = await StartLines.NodePidAsync(lab);
        Shell.Must("kill", "-KILL", victim.ToString(CultureInfo.InvariantCulture));
        Assert.True(
            await SwitchLab.WaitUntil(() => BackoffRegex().Matches(File.ReadAllText(lab.LogPath)).Count >= 3, TimeSpan.FromSeconds(60)),
            string.Join("\n", File.ReadLines(lab.LogPath).TakeLast(30)));
        var delays = BackoffRegex().Matches(File.ReadAllText(lab.LogPath)).Select(m => (m.Groups["delay"].Value, m.Groups["n"].Value)).Take(3).ToList();
        output.WriteLine(string.Join(", ", delays));
        Assert.Equal([("0.25", "1"), ("0.5", "2"), ("1", "3")], delays);

        // The keeper still holds the ports: h2's TAP device is there with its address.
        Assert.False(lab.Process!.HasExited);
        Assert.Contains(h2.Ip, Shell.Must("ip", "-n", h2.Namespace, "addr", "show", "eth0"), StringComparison.Ordinal);

        // Repaired, the next node comes up with the ports and reports the original crash.
        await File.WriteAllTextAsync(lab.ConfigPath, config);
        var persistence = await StartLines.WaitForNodeOtherThanAsync(lab, victim, NodeTimeout);
        output.WriteLine(persistence);
        Assert.StartsWith($"restarted by keeper pid {lab.Process.Pid} after a crash (pid {victim} killed by signal 9 (SIGKILL))", StartLines.Started(persistence), StringComparison.Ordinal);
        Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(h1, h2.Ip, count: 1) == 0, TimeSpan.FromSeconds(20)), "no ping after the repair");
    }

    /// <summary>The parent pid of <paramref name="pid"/> (the 4th field of /proc/PID/stat, after the parenthesised name).</summary>
    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"restarted: pid (\d+)")]
    private static partial Regex RestartedRegex();

    [GeneratedRegex(@"starting a new node in (?<delay>[0-9.]+) s \(restart back-off: quick crash (?<n>\d+) in a row\)")]
    private static partial Regex BackoffRegex();
}
