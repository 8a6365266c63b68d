using System.Text.RegularExpressions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Restart;

/// <summary>
/// Process exit and restart (DESIGN.md "Restart semantics"): `exit` and SIGTERM keep datapath state for the
/// next start, `exit --cleanup` deletes it, SIGKILL recovers from the journal.
/// </summary>
public sealed partial class ProcessRestartTests(ITestOutputHelper output)
{
    private static async Task<SwitchLab> WarmLabAsync()
    {
        var lab = await SwitchLab.StartAsync([(false, null), (false, null), (false, null)], asProcess: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        // Static neighbours: no ARP during the test, so every upcall after the restart would be a real miss.
        Shell.Must("ip", "-n", h1.Namespace, "neigh", "replace", h2.Ip, "lladdr", h2.Mac, "dev", "eth0", "nud", "permanent");
        Shell.Must("ip", "-n", h2.Namespace, "neigh", "replace", h1.Ip, "lladdr", h1.Mac, "dev", "eth0", "nud", "permanent");

        // A freshly started process compiles its slow path on the first upcalls: probe until a ping gets through.
        Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(h1, h2.Ip, count: 1) == 0, TimeSpan.FromSeconds(20)), "no ping got through a fresh node");
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
        return lab;
    }

    private static long Upcalls(string upcallShow) => RestartLab.ShardUpcalls(upcallShow).Sum();

    private static IReadOnlyList<string> Matches(string dump) => RestartLab.Matches(dump);

    /// <summary>The flow changes the journal has confirmed, from <c>persistence/show</c>'s "writes : (events N) (changes N)" line.</summary>
    private static long JournaledChanges(string persistenceShow) =>
        System.Text.RegularExpressions.Regex.Match(persistenceShow, @"\(changes (\d+)\) \(pending") is { Success: true } m ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [RootFact]
    public async Task Exit_then_start_restores_the_megaflows_before_any_upcall_and_traffic_needs_no_upcalls()
    {
        await using var lab = await WarmLabAsync();
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var before = Matches((await lab.Ctl("dpctl/dump-flows")).Output);
        Assert.Contains(before, l => l.Contains("eth_type(0x0800)", StringComparison.Ordinal));

        var stream = await PingStream.StartAsync(h1, h2.Ip, TimeSpan.FromMilliseconds(10), count: 600);
        Assert.Equal(0, (await lab.Ctl("exit")).Status);
        Assert.True(await lab.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)), "fabric did not exit");
        Assert.Equal(0, lab.Process.ExitCode);
        await lab.RestartAsync();

        // Right after the start: the restored flows are there, and nothing has gone through the slow path yet.
        var restored = Matches((await lab.Ctl("dpctl/dump-flows")).Output);
        Assert.Equal(before, restored);
        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"restart: {result.LostCount} of {result.Transmitted} pings lost, longest gap {result.LongestGap.TotalMilliseconds:F0} ms");
        Assert.True(result.Received > 0);

        // Loss only while no process ran: the lost pings are one contiguous run.
        if (result.Lost.Count > 0)
        {
            Assert.Equal(result.Lost[^1] - result.Lost[0] + 1, result.Lost.Count);
        }

        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 20));
        var upcalls = Upcalls((await lab.Ctl("upcall/show")).Output);
        Assert.True(upcalls == 0, $"{upcalls} upcalls for traffic whose megaflows were restored");
        Assert.Contains("recovery       : (flows " + before.Count + ")", (await lab.Ctl("persistence/show")).Output);
    }

    [RootFact]
    public async Task Sigterm_keeps_the_datapath_state_like_exit()
    {
        await using var lab = await WarmLabAsync();
        var before = Matches((await lab.Ctl("dpctl/dump-flows")).Output);
        lab.Process!.Terminate();
        Assert.True(await lab.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "fabric did not exit on SIGTERM");
        await lab.RestartAsync();
        Assert.Equal(before, Matches((await lab.Ctl("dpctl/dump-flows")).Output));
    }

    [RootFact]
    public async Task Exit_cleanup_deletes_the_flows_and_their_persisted_copy_so_they_are_relearned_by_upcalls()
    {
        await using var lab = await WarmLabAsync();
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.NotEmpty(Matches((await lab.Ctl("dpctl/dump-flows")).Output));
        Assert.Equal(0, (await lab.Ctl("exit", "--cleanup")).Status);
        Assert.True(await lab.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)), "fabric did not exit");
        await lab.RestartAsync();

        Assert.Empty(Matches((await lab.Ctl("dpctl/dump-flows")).Output));
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
        Assert.NotEmpty(Matches((await lab.Ctl("dpctl/dump-flows")).Output));
        Assert.True(Upcalls((await lab.Ctl("upcall/show")).Output) > 0);
    }

    [RootFact]
    public async Task Sigkill_in_the_middle_of_a_burst_of_flow_installs_recovers_a_consistent_table()
    {
        await using var lab = await WarmLabAsync();
        // A port the test drives: a burst of frames with 3000 distinct source MACs makes 3000 megaflow installs.
        var near = $"fk-{lab.Id}";
        var far = $"fl-{lab.Id}";
        Shell.Must("ip", "link", "add", near, "type", "veth", "peer", "name", far);
        try
        {
            Shell.Must("ip", "link", "set", near, "up");
            Shell.Must("ip", "link", "set", far, "up");
            File.AppendAllText(lab.ConfigPath, $"fabric.bridges = [ {{ name = br0, ports = [ {string.Join(", ", lab.Hosts.Select(h => $"{{ name = {h.PortName} }}"))}, {{ name = {near} }} ] }} ]\n");
            Assert.Equal(0, (await lab.Ctl("exit")).Status);
            Assert.True(await lab.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await lab.RestartAsync();

            using var burst = AfPacketPort.Open(far);
            using var batch = new PacketBatch(32);
            for (var i = 0; i < 3000; i++)
            {
                var frame = new byte[60];
                frame[0] = 0x02; frame[5] = 0xee;                                  // dst: an unknown unicast address
                frame[6] = 0x02; frame[7] = 0xbb; frame[9] = (byte)(i >> 16); frame[10] = (byte)(i >> 8); frame[11] = (byte)i;
                frame[12] = 0x88; frame[13] = 0xb5;                                // local experimental EtherType
                batch.TryAppend(frame);
                if (batch.IsFull)
                {
                    burst.Send(batch);
                    batch.Clear();
                }

                if (i == 1500)
                {
                    // Installs are streaming into the journal now: wait until the journal has confirmed 200 changes (a
                    // freshly started process's first journal write can take seconds on a loaded machine; a kill before
                    // it would leave nothing of the burst to recover, which is not what this test is about).
                    var persistence = string.Empty;
                    var confirmed = await SwitchLab.WaitUntilAsync(async () => JournaledChanges(persistence = (await lab.Ctl("persistence/show")).Output) > 200, TimeSpan.FromSeconds(20));
                    Assert.True(confirmed, confirmed ? null : $"the journal confirmed no more than 200 changes in 20 s\n{persistence}\n{(await lab.Ctl("dpctl/show")).Output}");
                }
            }

            burst.Send(batch);
            lab.Process!.Kill();
            Assert.True(await lab.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            await lab.RestartAsync();

            var lines = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var burstFlows = lines.Where(l => l.Contains("eth(src=02:bb:", StringComparison.Ordinal)).ToList();
            output.WriteLine($"after SIGKILL: {burstFlows.Count} of the burst's megaflows recovered");
            Assert.NotEmpty(burstFlows);
            var ports = lab.Hosts.Select((h, i) => i + 1).ToArray();
            foreach (var line in burstFlows)
            {
                // Every recovered megaflow is whole: its full match and the flood to the three host ports.
                Assert.Matches(@"^recirc_id\(0\),in_port\(4\),packet_type\(ns=0,id=0\),eth\(src=02:bb:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2},dst=02:00:00:00:00:ee\),eth_type\(0x88b5\), packets:\d+, bytes:\d+, used:[^,]+, actions:1,2,3$", line);
            }

            Assert.Equal(0, SwitchLab.Ping(lab.Hosts[0], lab.Hosts[1].Ip, count: 5));
        }
        finally
        {
            Shell.Run("ip", "link", "del", near);
        }
    }
}
