using Fabric.Datapath.Packets;
using Akka.Actor;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Buffers;
using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Switching;

/// <summary>Malformed frames, unknown commands and bad configs: each refused clearly, forwarding unaffected.</summary>
public sealed class BadInputTests
{
    [RootFact]
    public async Task Malformed_frames_are_counted_by_reason_and_dropped_while_forwarding_goes_on()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (false, null)]);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 3));

        // A third veth whose far end the test drives directly: the fabric gets it as an extra port.
        var near = $"fx-{lab.Id}";
        var far = $"fy-{lab.Id}";
        Shell.Must("ip", "link", "add", near, "type", "veth", "peer", "name", far);
        try
        {
            Shell.Must("ip", "link", "set", near, "up");
            Shell.Must("ip", "link", "set", far, "up");
            var added = await lab.Node.DatapathActor.Ask<Fabric.Actors.Datapath.DatapathProtocol.PortAdded>(
                new Fabric.Actors.Datapath.DatapathProtocol.AddPort(AfPacketPort.Open(near), 0), TimeSpan.FromSeconds(5));
            Assert.True(added.PortNo > 0);

            using var sender = AfPacketPort.Open(far);
            using var batch = new PacketBatch(4);
            // An Ethernet header announcing IPv4, followed by 6 bytes: too short for an IPv4 header.
            byte[] truncated = [0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x98, 0x08, 0x00, 0x45, 0, 0, 20, 0, 0];
            // An Ethernet header announcing IPv6, followed by 8 bytes: too short for the 40-byte IPv6 header.
            byte[] runt = [0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x98, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 0, 0x3a, 0x40];
            for (var i = 0; i < 2; i++)
            {
                batch.TryAppend(truncated);
                batch.TryAppend(runt);
            }

            var drops = lab.Node.Datapath.Stats.ParseDrops;
            var before = drops.Total;
            Assert.Equal(4, sender.Send(batch));
            Assert.True(await SwitchLab.WaitUntil(() => drops.Total - before >= 4, TimeSpan.FromSeconds(5)), $"parse drops {drops.Total - before}");
            Assert.True(drops.Get(DropReason.TruncatedIpv4) >= 2);
            Assert.True(drops.Get(DropReason.TruncatedIpv6) >= 2);

            Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 10));
        }
        finally
        {
            Shell.Run("ip", "link", "del", near);
        }
    }

    [RootFact]
    public async Task An_unknown_ctl_command_gets_one_clear_line_and_the_node_keeps_forwarding()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (true, null)]);
        var reply = await lab.Ctl("fdb/shwo", "br0");
        Assert.NotEqual(0, reply.Status);
        Assert.Contains("'fdb/shwo' is not a valid command", reply.Output);
        Assert.DoesNotContain('\n', reply.Output);

        var noBridge = await lab.Ctl("fdb/show", "nosuch");
        Assert.NotEqual(0, noBridge.Status);
        Assert.Contains("no such bridge 'nosuch'", noBridge.Output);

        Assert.Equal(0, SwitchLab.Ping(lab.Hosts[0], lab.Hosts[1].Ip, count: 5));
    }
}
