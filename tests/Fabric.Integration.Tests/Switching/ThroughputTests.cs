using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Switching;

/// <summary>TCP bulk transfer through the fabric with iperf3.</summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task Iperf3_tcp_between_two_hosts_completes_and_megaflows_ignore_ports()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (true, null)]);
        var (client, server) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.Equal(0, SwitchLab.Ping(client, server.Ip, count: 3));

        var (bps, bytes, retransmits, _) = await Iperf3.RunAsync(client, server);
        output.WriteLine($"iperf3 TCP through the fabric: {bps / 1e6:F1} Mbit/s, {bytes} bytes received, {retransmits} retransmits");
        Assert.True(bytes > 1_000_000, $"only {bytes} bytes crossed the fabric");

        // The TCP megaflows match MACs, ports and frag bits only: no L4 ports, so one megaflow per direction.
        var flows = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n');
        var tcp = flows.Where(l => l.Contains("eth_type(0x0800)", StringComparison.Ordinal) && l.Contains("flags:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(tcp);
        Assert.All(tcp, l => Assert.DoesNotContain("tcp(", l));
    }
}
