using System.Diagnostics;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Cluster;

/// <summary>
/// Three real <c>fabric</c> processes in three namespaces form one Akka.Cluster over an underlay and join their
/// bridges through VXLAN (issue 8): membership, cross-host switching within a VNI, isolation across VNIs, VXLAN on the
/// wire, a node killed and coming back, and a rolling restart — each measured against the real kernel.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);

    [RootFact]
    public async Task Three_nodes_form_a_cluster_and_switch_across_hosts_within_a_vni_only()
    {
        await using var lab = ClusterLab.Create();
        await lab.StartAllAsync();
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), $"{n.Name}: {(await ClusterLab.Ctl(n, "cluster/show")).Output}\n{Tail(n)}");
        }

        await using var capture = await Capture.StartAsync(lab.Nodes[0].Underlay, "udp port 4789");
        foreach (var from in lab.Nodes)
        {
            foreach (var to in lab.Nodes.Where(t => t != from))
            {
                Assert.Equal(0, SwitchLab.Ping(from.TenantA, to.TenantA.Ip, count: 5));
                Assert.Equal(0, SwitchLab.Ping(from.TenantB, to.TenantB.Ip, count: 5));
            }
        }

        // Same subnet, other VNI: nothing answers.
        Assert.Equal(100, SwitchLab.Ping(lab.Nodes[0].TenantA, lab.Nodes[1].TenantB.Ip, count: 3));
        Assert.Equal(100, SwitchLab.Ping(lab.Nodes[1].TenantB, lab.Nodes[2].TenantA.Ip, count: 3));

        var wire = string.Join("\n", await capture.StopAsync());
        Assert.Contains("vni 100", wire, StringComparison.Ordinal);
        Assert.Contains("vni 200", wire, StringComparison.Ordinal);
        Assert.Contains(".4789", wire, StringComparison.Ordinal);

        var show = (await ClusterLab.Ctl(lab.Nodes[0], "cluster/show")).Output;
        output.WriteLine(show);
        Assert.Contains("vx100-hv2", show, StringComparison.Ordinal);
        var flows = (await ClusterLab.Ctl(lab.Nodes[0], "dpctl/dump-flows")).Output;
        output.WriteLine(flows);
        Assert.Contains("tnl_push(", flows, StringComparison.Ordinal);
        Assert.Contains("tnl_pop(", flows, StringComparison.Ordinal);
        var fdb = (await ClusterLab.Ctl(lab.Nodes[0], "fdb/show", "bra")).Output;
        output.WriteLine(fdb);
        Assert.Contains("remote: hv2", fdb, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_killed_node_is_unreachable_within_two_seconds_loses_its_macs_and_rejoins_without_disturbing_the_others()
    {
        await using var lab = ClusterLab.Create();
        await lab.StartAllAsync();
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), Tail(n));
        }

        var (hv1, hv2, hv3) = (lab.Nodes[0], lab.Nodes[1], lab.Nodes[2]);
        Assert.Equal(0, SwitchLab.Ping(hv1.TenantA, hv3.TenantA.Ip, count: 3));
        Assert.Equal(0, SwitchLab.Ping(hv2.TenantA, hv3.TenantA.Ip, count: 3));
        await using var stream = await UdpStream.StartAsync(hv1.TenantA, hv2.TenantA, 8000);
        // Part of the stream runs before the kill.
        Assert.True(await DatapathHits.WaitForAsync(async () => (await ClusterLab.Ctl(hv1, "dpctl/show")).Output, 500, TimeSpan.FromSeconds(20)), $"the stream did not reach {hv1.Name}");
        var killed = Stopwatch.StartNew();
        hv3.Process!.Kill();
        var seen = new Dictionary<string, (double From, double To)>();
        string Span(string node) => seen.TryGetValue(node, out var t) ? $"{t.From:F0}-{t.To:F0}" : "never";
        await SwitchLab.WaitUntilAsync(
            async () =>
            {
                foreach (var n in new[] { hv1, hv2 })
                {
                    // The node says how long ago it learned it, at some moment between the request and the reply: the
                    // detection time lies between the two readings less that age (a loaded node answers late).
                    var asked = killed.Elapsed.TotalMilliseconds;
                    if (!seen.ContainsKey(n.Name) && (await ClusterLab.MembersAsync(n)).TryGetValue("hv3", out var m) && !m.Reachable)
                    {
                        var age = m.UnreachableForMs ?? 0;
                        seen[n.Name] = (asked - age, killed.Elapsed.TotalMilliseconds - age);
                    }
                }

                return seen.Count == 2;
            },
            TimeSpan.FromSeconds(10));
        output.WriteLine($"hv3 unreachable on hv1 after {Span("hv1")} ms, on hv2 after {Span("hv2")} ms");
        Assert.Equal(2, seen.Count);
        Assert.All(seen.Values, ms => Assert.True(ms.From < 2000, $"detection took {ms.From:F0}-{ms.To:F0} ms"));

        // Its MACs are gone from both peers and its tunnel carries nothing.
        foreach (var n in new[] { hv1, hv2 })
        {
            var fdb = (await ClusterLab.Ctl(n, "fdb/show", "bra")).Output;
            Assert.DoesNotContain("remote: hv3", fdb, StringComparison.Ordinal);
        }

        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"hv1 -> hv2 while hv3 died: {result.Line}");
        Assert.True(result.Lost == 0, $"{result.Line}\nhv1:\n{Tail(hv1)}\nhv2:\n{Tail(hv2)}");

        // hv3 starts again, rejoins as a new incarnation, and its VMs are reachable again.
        await lab.StartAsync(hv3);
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), $"{n.Name}: {(await ClusterLab.Ctl(n, "cluster/show")).Output}");
        }

        Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(hv1.TenantA, hv3.TenantA.Ip, count: 2) == 0, TimeSpan.FromSeconds(20)));
    }

    [RootFact]
    public async Task A_rolling_restart_loses_nothing_between_vms_on_the_other_nodes()
    {
        await using var lab = ClusterLab.Create();
        await lab.StartAllAsync();
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), Tail(n));
        }

        foreach (var restarted in lab.Nodes)
        {
            var others = lab.Nodes.Where(n => n != restarted).ToArray();
            Assert.Equal(0, SwitchLab.Ping(others[0].TenantA, others[1].TenantA.Ip, count: 3));
            await using var stream = await UdpStream.StartAsync(others[0].TenantA, others[1].TenantA, 6000);
            Assert.True(await DatapathHits.WaitForAsync(async () => (await ClusterLab.Ctl(others[0], "dpctl/show")).Output, 200, TimeSpan.FromSeconds(20)), $"the stream did not reach {others[0].Name}");
            var exit = await ClusterLab.Ctl(restarted, "exit");
            Assert.True(exit.IsOk, exit.Output);
            Assert.True(await restarted.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await lab.StartAsync(restarted);
            var result = await stream.CompleteAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{others[0].Name} -> {others[1].Name} while {restarted.Name} restarted: {result.Line}");
            Assert.Equal(0, result.Lost);
            foreach (var n in lab.Nodes)
            {
                Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), $"{n.Name}: {(await ClusterLab.Ctl(n, "cluster/show")).Output}");
            }

            var persistence = (await ClusterLab.Ctl(restarted, "persistence/show")).Output;
            Assert.Contains("warm from the journal", persistence, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task A_partitioned_node_is_downed_keeps_forwarding_locally_and_rejoins_by_itself_when_the_partition_heals()
    {
        await using var lab = ClusterLab.Create(secondVmOn: 3);
        await lab.StartAllAsync();
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), Tail(n));
        }

        var (hv1, hv3) = (lab.Nodes[0], lab.Nodes[2]);
        Assert.Equal(0, SwitchLab.Ping(hv3.TenantA, hv3.TenantA2!.Ip, count: 3));
        await using var local = await UdpStream.StartAsync(hv3.TenantA, hv3.TenantA2, 14_000);
        Assert.True(await DatapathHits.WaitForAsync(async () => (await ClusterLab.Ctl(hv3, "dpctl/show")).Output, 200, TimeSpan.FromSeconds(20)), $"the stream did not reach {hv3.Name}");
        lab.SetUnderlayLink(hv3, up: false);

        // The majority downs hv3; hv3, alone, downs itself (keep-majority) and keeps trying to join again.
        Assert.True(
            await SwitchLab.WaitUntilAsync(async () => (await ClusterLab.Ctl(hv3, "cluster/show")).Output.Contains("was downed", StringComparison.Ordinal), TimeSpan.FromSeconds(20)),
            (await ClusterLab.Ctl(hv3, "cluster/show")).Output + "\n" + Tail(hv3));
        Assert.True(await SwitchLab.WaitUntilAsync(async () => !(await ClusterLab.MembersAsync(hv1)).ContainsKey("hv3"), TimeSpan.FromSeconds(20)));

        lab.SetUnderlayLink(hv3, up: true);
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), $"{n.Name}: {(await ClusterLab.Ctl(n, "cluster/show")).Output}\n{Tail(n)}");
        }

        var show = (await ClusterLab.Ctl(hv3, "cluster/show")).Output;
        output.WriteLine(show);
        Assert.Matches(@"incarnation [2-9]", show);
        var result = await local.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"hv3 local stream through the partition, the downing and the rejoin: {result.Line}");
        Assert.Equal(0, result.Lost);
        Assert.True(await SwitchLab.WaitUntil(() => SwitchLab.Ping(hv1.TenantA, hv3.TenantA.Ip, count: 2) == 0, TimeSpan.FromSeconds(20)));
    }

    [RootFact]
    public async Task Ctl_restart_of_a_clustered_node_loses_nothing_through_it_and_its_successor_rejoins()
    {
        await using var lab = ClusterLab.Create();
        await lab.StartAllAsync();
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), Tail(n));
        }

        var (hv1, hv2, hv3) = (lab.Nodes[0], lab.Nodes[1], lab.Nodes[2]);
        Assert.Equal(0, SwitchLab.Ping(hv1.TenantA, hv2.TenantA.Ip, count: 3));
        Assert.Equal(0, SwitchLab.Ping(hv2.TenantA, hv3.TenantA.Ip, count: 3));
        var before = (await ClusterLab.Ctl(hv2, "tnl/ports/show")).Output;

        // Into the restarting node and out of it, through its tunnels, while it hands over and rejoins.
        await using var into = await UdpStream.StartAsync(hv1.TenantA, hv2.TenantA, 12_000, port: 5001);
        await using var outOf = await UdpStream.StartAsync(hv2.TenantA, hv3.TenantA, 12_000, port: 5002);
        Assert.True(await DatapathHits.WaitForAsync(async () => (await ClusterLab.Ctl(hv2, "dpctl/show")).Output, 500, TimeSpan.FromSeconds(20)), $"the stream did not reach {hv2.Name}");
        var restart = await ClusterLab.Ctl(hv2, "restart");
        Assert.True(restart.IsOk, restart.Output + "\n" + Tail(hv2));
        output.WriteLine(restart.Output);
        foreach (var n in lab.Nodes)
        {
            Assert.True(await ClusterLab.WaitForUpAsync(n, 3, Formation), $"{n.Name}: {(await ClusterLab.Ctl(n, "cluster/show")).Output}\n{Tail(n)}");
        }

        var a = await into.CompleteAsync(TimeSpan.FromSeconds(60));
        var b = await outOf.CompleteAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"hv1 -> hv2 through the restart: {a.Line}");
        output.WriteLine($"hv2 -> hv3 through the restart: {b.Line}");
        Assert.True(a.Lost == 0 && b.Lost == 0, $"{a.Line}\n{b.Line}\nhv2:\n{Tail(hv2)}");

        // The successor took the tunnel ports over under their numbers, and is a new member.
        var after = (await ClusterLab.Ctl(hv2, "tnl/ports/show")).Output;
        output.WriteLine(after);
        Assert.Equal(PortNumbers(before), PortNumbers(after));
        Assert.Contains("taken over from pid", (await ClusterLab.Ctl(hv2, "persistence/show")).Output, StringComparison.Ordinal);
    }

    private static string[] PortNumbers(string tnlPorts) =>
        tnlPorts.Split('\n').Where(l => l.StartsWith("vx", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(5))).Order().ToArray();

    private static string Tail(ClusterLabNode n) =>
        File.Exists(n.LogPath) ? string.Join("\n", File.ReadLines(n.LogPath).TakeLast(30)) : "(no log)";
}
