using System.Text.Json;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Switching;

/// <summary>TCP bulk transfer through the fabric with iperf3.</summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task Iperf3_tcp_between_two_hosts_completes_and_megaflows_ignore_ports()
    {
        Assert.True(Shell.Has("iperf3"), "iperf3 is not installed (lab/ensure-packages.sh installs it)");
        await using var lab = await SwitchLab.StartAsync([(false, null), (true, null)]);
        var (client, server) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.Equal(0, SwitchLab.Ping(client, server.Ip, count: 3));

        var serverTask = Task.Run(() => Shell.RunWithTimeout(TimeSpan.FromSeconds(30), "ip", "netns", "exec", server.Namespace, "iperf3", "-s", "-1", "-B", server.Ip));
        Assert.True(
            await SwitchLab.WaitUntil(() => Shell.InNs(server.Namespace, "ss", "-ltnH", "sport", "= :5201").Stdout.Contains("5201", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            "iperf3 server did not start listening");
        var run = Shell.InNs(client.Namespace, "iperf3", "-c", server.Ip, "-t", "3", "-J", "--connect-timeout", "3000");
        await serverTask;
        Assert.True(run.ExitCode == 0, run.All);

        using var doc = JsonDocument.Parse(run.Stdout);
        var end = doc.RootElement.GetProperty("end");
        Assert.True(end.TryGetProperty("sum_received", out var received), run.Stdout);
        var bps = received.GetProperty("bits_per_second").GetDouble();
        var bytes = received.GetProperty("bytes").GetInt64();
        output.WriteLine($"iperf3 TCP through the fabric: {bps / 1e6:F1} Mbit/s, {bytes} bytes received");
        Assert.True(bytes > 1_000_000, $"only {bytes} bytes crossed the fabric");

        // The TCP megaflows match MACs, ports and frag bits only: no L4 ports, so one megaflow per direction.
        var flows = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n');
        var tcp = flows.Where(l => l.Contains("eth_type(0x0800)", StringComparison.Ordinal) && l.Contains("flags:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(tcp);
        Assert.All(tcp, l => Assert.DoesNotContain("tcp(", l));
    }
}
