using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Restart;

/// <summary>Crashing control actors during traffic costs no packets (DESIGN.md "Restart semantics").</summary>
public sealed class ControlActorCrashTests(ITestOutputHelper output)
{
    /// <summary>Spacing between injected crashes, so they land throughout the stream.</summary>
    private static readonly TimeSpan CrashSpacing = TimeSpan.FromMilliseconds(60);

    [RootFact]
    public async Task Crashing_each_control_actor_type_ten_times_during_traffic_loses_no_packet()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (false, null), (true, null)], "  debug.fault-injection = on\n");
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
        Shell.Must("ip", "-n", h1.Namespace, "neigh", "replace", h2.Ip, "lladdr", h2.Mac, "dev", "eth0", "nud", "permanent");
        Shell.Must("ip", "-n", h2.Namespace, "neigh", "replace", h1.Ip, "lladdr", h1.Mac, "dev", "eth0", "nud", "permanent");

        var before = lab.Node.Datapath.Flows.Snapshot().ToDictionary(f => f.Id);
        string[] targets = ["/user/br0", "/user/br0/shard-0", "/user/br0/shard-1", "/user/datapath-supervisor/datapath"];
        var stream = await PingStream.StartAsync(h1, h2.Ip, TimeSpan.FromMilliseconds(10), count: 400);
        for (var round = 0; round < 10; round++)
        {
            foreach (var path in targets)
            {
                var reply = await lab.Ctl("debug/crash", path);
                Assert.True(reply.Status == 0, reply.Output);
                await Task.Delay(CrashSpacing);
            }
        }

        var result = await stream.CompleteAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{result.Transmitted} sent, {result.Received} received, longest gap {result.LongestGap.TotalMilliseconds:F0} ms");
        Assert.Equal(400, result.Transmitted);
        Assert.Empty(result.Lost);

        // The megaflows that carried the stream were never replaced: same objects, counters kept growing.
        var after = lab.Node.Datapath.Flows.Snapshot().ToDictionary(f => f.Id);
        var icmp = before.Values.Where(f => f.Key.DlType == 0x0800).ToList();
        Assert.NotEmpty(icmp);
        foreach (var f in icmp)
        {
            Assert.True(after.ContainsKey(f.Id), $"megaflow {f.Id} was removed by a crash");
            Assert.True(after[f.Id].Packets >= 400, $"megaflow {f.Id} carried {after[f.Id].Packets} packets");
        }

        // Every crashed actor is back: the bridge answers and upcalls are still handled.
        Assert.Equal(0, (await lab.Ctl("fdb/show", "br0")).Status);
        Assert.Equal(0, SwitchLab.Ping(lab.Hosts[2], h1.Ip, count: 3));
    }

    [RootFact]
    public async Task Debug_crash_is_refused_unless_fault_injection_is_enabled()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (false, null)]);
        var reply = await lab.Ctl("debug/crash", "/user/br0");
        Assert.NotEqual(0, reply.Status);
        Assert.Contains("fault injection is off", reply.Output);
    }
}
