using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Offloads;

/// <summary>
/// iperf3 TCP from a veth host to a TAP host with the kernel's offloads on (64 KB TSO segments cross the fabric whole) and,
/// for comparison, with them off on every veth and TAP (MTU-sized frames only). Prints the rate (README "Performance");
/// asserts only that the transfer worked, never a speed.
/// </summary>
public sealed class OffloadThroughputTests(ITestOutputHelper output)
{
    [RootFact]
    public Task Iperf3_tcp_veth_to_tap_with_offloads_on_completes() => RunAsync(offloadsOff: false);

    [RootFact]
    public Task Iperf3_tcp_veth_to_tap_with_offloads_off_completes() => RunAsync(offloadsOff: true);

    private async Task RunAsync(bool offloadsOff)
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (true, null)], offloadsOff: offloadsOff);
        var (client, server) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.Equal(0, SwitchLab.Ping(client, server.Ip, count: 3));

        long csumErrors = Iperf3.TcpChecksumErrors(server) + Iperf3.TcpChecksumErrors(client);

        var (bps, bytes, retransmits, _) = await Iperf3.RunAsync(client, server);

        output.WriteLine($"iperf3 TCP through the fabric, offloads {(offloadsOff ? "off" : "on")}: {bps / 1e6:F1} Mbit/s, {bytes} bytes received, {retransmits} retransmits");
        Assert.True(bytes > 1_000_000, $"only {bytes} bytes crossed the fabric");

        // Retransmits may come from full buffers; none may come from a checksum the fabric left wrong.
        Assert.Equal(csumErrors, Iperf3.TcpChecksumErrors(server) + Iperf3.TcpChecksumErrors(client));
    }
}
