using System.Net;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>TAP port: a device created by the port, moved into a fresh namespace and talked to from there.</summary>
public sealed class TapPortTests : IDisposable
{
    private const ulong FakeMac = 0x02_fa_b0_00_00_03;

    private readonly NetNs _ns = NetNs.Create();
    private readonly string _subnet = NetNs.RandomSubnet();

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void Tap_moved_into_a_namespace_exchanges_arp_and_icmp_and_disappears_on_dispose()
    {
        string name = "fabtap" + NetNs.RandomHex(6);
        var nsIp = IPAddress.Parse(_subnet + "1");
        var fakeIp = IPAddress.Parse(_subnet + "2");
        TapPort port = TapPort.Create(name);
        try
        {
            Assert.Equal(name, port.Name);
            Assert.Equal(PortKind.Tap, port.Kind);
            Assert.True(port.PollFd >= 0);
            Assert.Equal(Frames.ParseMac(File.ReadAllText($"/sys/class/net/{name}/address")), port.MacAddress);
            Assert.NotEqual(0, Convert.ToInt32(File.ReadAllText($"/sys/class/net/{name}/flags").Trim(), 16) & 1);
            Assert.Equal(TapPort.QueueFrames.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText($"/sys/class/net/{name}/tx_queue_len").Trim());
            PortProbe.WaitUntil(() => port.CarrierUp, "TAP carrier up in our namespace");

            NetNs.Run("ip", "link", "set", name, "netns", _ns.Name);
            _ns.Ip("addr", "add", _subnet + "1/24", "dev", name);
            _ns.Ip("link", "set", name, "up");
            Assert.False(Directory.Exists("/sys/class/net/" + name));
            Assert.True(port.CarrierUp);

            using var batch = new PacketBatch();
            _ns.Start("ping", "-c1", "-W1", fakeIp.ToString());
            byte[] request = PortProbe.ReceiveUntil(port, batch, f => Frames.IsArp(f, 1, fakeIp), "ARP request from the namespace");
            Assert.Equal(Frames.Broadcast, Frames.Dst(request));
            Assert.Equal(port.MacAddress, Frames.Src(request));
            Assert.Equal(port.MacAddress, Frames.ArpSenderMac(request));
            Assert.Equal(nsIp, Frames.ArpSenderIp(request));
            Assert.True(port.Counters.RxPackets >= 1);

            byte[] reply = Frames.Arp(2, FakeMac, port.MacAddress, FakeMac, fakeIp, port.MacAddress, nsIp);
            ushort id = (ushort)Random.Shared.Next(1, 65535);
            byte[] echo = Frames.IcmpEcho(8, FakeMac, port.MacAddress, fakeIp, nsIp, id, 3);
            PortProbe.Fill(batch, reply, echo);
            Assert.Equal(2, port.Send(batch));
            Assert.Equal(2, port.Counters.TxPackets);
            Assert.Equal(reply.Length + echo.Length, port.Counters.TxBytes);

            byte[] echoReply = PortProbe.ReceiveUntil(
                port,
                batch,
                f => Frames.IsIcmpEcho(f, 0, nsIp, id, 3),
                "ICMP echo reply",
                f =>
                {
                    if (Frames.IsArp(f, 1, fakeIp))
                    {
                        using var answer = new PacketBatch(1);
                        PortProbe.Fill(answer, reply);
                        port.Send(answer);
                    }
                });
            Assert.Equal(FakeMac, Frames.Dst(echoReply));
            Assert.Equal(port.MacAddress, Frames.Src(echoReply));
            Assert.Equal(echo.Length, echoReply.Length);
            Assert.Equal(0, port.Counters.RxDropped);

            Assert.Equal(0, _ns.TryExec("ip", "link", "show", "dev", name));
        }
        finally
        {
            port.Dispose();
        }

        PortProbe.WaitUntil(() => _ns.TryExec("ip", "link", "show", "dev", name) != 0, "TAP device removal in the namespace");
        Assert.False(port.CarrierUp);
        Assert.Equal(-1, port.PollFd);
    }

    [Fact]
    public void Dispose_removes_the_device_in_our_namespace()
    {
        string name = "fabtap" + NetNs.RandomHex(6);
        TapPort port = TapPort.Create(name);
        try
        {
            Assert.True(Directory.Exists("/sys/class/net/" + name));
            Assert.Equal(InterfaceInfo.GetIfIndex(name), port.IfIndex);
        }
        finally
        {
            port.Dispose();
        }

        // Removal completes when the last reference to the descriptor goes; a process being forked by a parallel
        // test may hold a copy until its exec (O_CLOEXEC), so wait for it within a bound.
        PortProbe.WaitUntil(() => !Directory.Exists("/sys/class/net/" + name), "TAP device removal");
        port.Dispose();
        Assert.Equal(-1, port.PollFd);
    }

    [Fact]
    public void Frames_larger_than_a_slot_are_dropped_and_counted()
    {
        string name = "fabtap" + NetNs.RandomHex(6);
        using TapPort port = TapPort.Create(name);
        NetNs.Run("ip", "link", "set", name, "netns", _ns.Name);
        _ns.Ip("addr", "add", _subnet + "1/24", "dev", name);
        _ns.Ip("link", "set", name, "up");
        using var small = new PacketBatch(capacity: 8, slotSize: 128);

        _ns.Start("ping", "-b", "-c1", "-W1", "-s", "300", _subnet + "255");
        PortProbe.WaitUntil(
            () =>
            {
                port.Receive(small);
                return port.Counters.RxDropped >= 1;
            },
            "oversized frame drop");

        var fakeIp = IPAddress.Parse(_subnet + "2");
        _ns.Start("ping", "-c1", "-W1", fakeIp.ToString());
        byte[] arp = PortProbe.ReceiveUntil(port, small, f => Frames.IsArp(f, 1, fakeIp), "ARP request after the drop");
        Assert.Equal(42, arp.Length);
    }

    [Fact]
    public void Creating_with_a_bad_name_gives_a_clear_error()
    {
        PortException tooLong = Assert.Throws<PortException>(() => TapPort.Create("fabtap-name-too-long"));
        Assert.StartsWith("cannot create TAP 'fabtap-name-too-long': interface name must be 1..15", tooLong.Message);

        // "lo" exists and is not a TUN/TAP device: the kernel refuses to attach.
        PortException taken = Assert.Throws<PortException>(() => TapPort.Create("lo"));
        Assert.StartsWith("cannot create TAP 'lo': ", taken.Message);
        Assert.NotEqual(0, taken.Errno);
        Assert.Equal("lo", taken.PortName);
    }

    [Fact]
    public void Send_of_a_runt_frame_is_dropped_and_the_rest_of_the_batch_still_goes()
    {
        string name = "fabtap" + NetNs.RandomHex(6);
        using TapPort port = TapPort.Create(name);
        using var batch = new PacketBatch();
        var ip = IPAddress.Parse(_subnet + "9");
        PortProbe.Fill(batch, new byte[5], Frames.Arp(1, FakeMac, Frames.Broadcast, FakeMac, ip, 0, ip));
        Assert.Equal(1, port.Send(batch));
        Assert.Equal(1, port.Counters.TxDropped);
        Assert.Equal(1, port.Counters.TxPackets);
    }
}
