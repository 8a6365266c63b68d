using Fabric.Datapath.Ports;
using Fabric.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace Fabric.Integration.Tests.Offloads;

/// <summary>
/// Offloads on (kernel defaults, no ethtool): a host behind a veth sends TCP with TSO, so 64 KB super-frames with
/// partial checksums reach the fabric through PACKET_VNET_HDR. They must arrive as correct, checksummed data at a host
/// behind a TAP port (the super-frames pass whole, with their vnet header) and at a host behind an AF_PACKET port
/// opened without vnet headers (Fabric segments and checksums them in software; that host's kernel verifies every
/// checksum). Each transfer is a seeded pseudo-random byte stream whose SHA-256 both ends compute.
/// </summary>
public sealed class TsoAcrossFabricTests(ITestOutputHelper output)
{
    private const int Bytes = 24 << 20;

    private const string Server = """
        import hashlib, socket, sys
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((sys.argv[1], int(sys.argv[2])))
        s.listen(1)
        s.settimeout(30)
        c, _ = s.accept()
        c.settimeout(30)
        h = hashlib.sha256()
        n = 0
        while True:
            d = c.recv(1 << 20)
            if not d:
                break
            h.update(d)
            n += len(d)
        print(n, h.hexdigest())
        """;

    private const string Client = """
        import hashlib, random, socket, sys
        data = random.Random(int(sys.argv[3])).randbytes(int(sys.argv[4]))
        c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        c.recv(1)
        print(len(data), hashlib.sha256(data).hexdigest())
        """;

    [RootFact]
    public async Task Tso_super_frames_from_a_veth_reach_a_tap_whole_and_a_port_without_vnet_headers_segmented_with_correct_checksums()
    {
        Assert.True(Shell.Has("python3"), "python3 is not installed");
        await using var lab = await SwitchLab.StartAsync(
            [(false, null), (true, null), (false, null)],
            portOptions: new Dictionary<int, string> { [2] = "vnet-headers = off" });
        var (sender, tapHost, plainHost) = (lab.Hosts[0], lab.Hosts[1], lab.Hosts[2]);

        // A port with vnet headers off cannot take its own host's offloaded frames: that host turns them off, as README says.
        SwitchLab.OffloadsOff(null, plainHost.PortName);
        SwitchLab.OffloadsOff(plainHost.Namespace, "eth0");
        Assert.Contains("tcp-segmentation-offload: on", Shell.InNs(sender.Namespace, "ethtool", "-k", "eth0").Stdout);

        IDatapathPort senderPort = PortNamed(lab, sender.PortName);
        Assert.True(senderPort.VnetHeaders);
        Assert.True(PortNamed(lab, tapHost.PortName).VnetHeaders);
        Assert.False(PortNamed(lab, plainHost.PortName).VnetHeaders);
        Assert.Equal(0, SwitchLab.Ping(sender, tapHost.Ip, count: 3));
        Assert.Equal(0, SwitchLab.Ping(sender, plainHost.Ip, count: 3));

        foreach (var (receiver, port) in new[] { (tapHost, 5301), (plainHost, 5302) })
        {
            IDatapathPort outPort = PortNamed(lab, receiver.PortName);
            long rx0 = senderPort.Counters.RxPackets, rxBytes0 = senderPort.Counters.RxBytes;
            long tx0 = outPort.Counters.TxPackets, txBytes0 = outPort.Counters.TxBytes;
            long csumErrors0 = Iperf3.TcpChecksumErrors(receiver);

            var (sent, received) = await Transfer(sender, receiver, port);

            Assert.Equal($"{Bytes} ", sent[..(Bytes.ToString().Length + 1)]);
            Assert.Equal(sent, received);
            Assert.Equal(csumErrors0, Iperf3.TcpChecksumErrors(receiver));
            double inAverage = (double)(senderPort.Counters.RxBytes - rxBytes0) / (senderPort.Counters.RxPackets - rx0);
            double outAverage = (double)(outPort.Counters.TxBytes - txBytes0) / (outPort.Counters.TxPackets - tx0);
            output.WriteLine($"{receiver.PortName}: {Bytes} bytes, sha256 equal; frames in from the sender average {inAverage:F0} B, out to the receiver {outAverage:F0} B");

            // Super-frames came in (larger than any 1514-byte frame on average) ...
            Assert.True(inAverage > 1514, $"no TSO super-frames reached the fabric (average {inAverage:F0} B)");
            if (receiver == plainHost)
            {
                // ... and left as segments that fit the receiver's MTU, or whole through the TAP.
                Assert.True(outAverage <= 1514, $"frames larger than the MTU left through a port without vnet headers (average {outAverage:F0} B)");
            }
            else
            {
                Assert.True(outAverage > 1514, $"super-frames were not passed whole to the TAP (average {outAverage:F0} B)");
            }
        }
    }

    private static IDatapathPort PortNamed(SwitchLab lab, string name) =>
        lab.Node.Datapath.Ports.Values.Single(p => p.Name == name);

    /// <summary>Sends <see cref="Bytes"/> seeded bytes from <paramref name="from"/> to <paramref name="to"/>; returns both ends' "count sha256".</summary>
    private static async Task<(string Sent, string Received)> Transfer(LabHost from, LabHost to, int port)
    {
        var server = Task.Run(() => Shell.RunWithTimeout(TimeSpan.FromSeconds(60), "ip", "netns", "exec", to.Namespace, "python3", "-c", Server, to.Ip, port.ToString()));
        Assert.True(
            await SwitchLab.WaitUntil(() => Shell.InNs(to.Namespace, "ss", "-ltnH", "sport", $"= :{port}").Stdout.Contains($":{port}", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            "the receiver did not start listening");
        var client = Shell.RunWithTimeout(TimeSpan.FromSeconds(60), "ip", "netns", "exec", from.Namespace, "python3", "-c", Client, to.Ip, port.ToString(), "20261202", Bytes.ToString());
        var done = await server;
        Assert.True(client.ExitCode == 0, client.All);
        Assert.True(done.ExitCode == 0, done.All);
        return (client.Stdout.Trim(), done.Stdout.Trim());
    }
}
