using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>
/// Restart handover: a port's descriptor passed over a socketpair (within this process) and adopted as a second port,
/// which keeps receiving, also frames queued before the handover, after the original port is disposed.
/// </summary>
public sealed class PortAdoptTests : IDisposable
{
    private const ushort EtherTypeLocalExperimental = 0x88b5;
    private const int IffPromisc = 0x100;

    private readonly (int Parent, int Child) _pair = FdPassing.SocketPair();
    private readonly ulong _token = (ulong)Random.Shared.NextInt64();

    public void Dispose() => FdPassing.Close([_pair.Parent, _pair.Child]);

    [RootFact]
    public void Adopted_af_packet_socket_receives_queued_and_new_frames_after_the_original_closes()
    {
        string suffix = NetNs.RandomHex(6);
        string a = "fda" + suffix;
        string b = "fdb" + suffix;
        NetNs.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        AfPacketPort? original = null;
        try
        {
            NetNs.Run("ip", "link", "set", a, "up");
            NetNs.Run("ip", "link", "set", b, "up");
            original = AfPacketPort.Open(a);
            using AfPacketPort peer = AfPacketPort.Open(b);
            PortProbe.WaitUntil(() => original.CarrierUp && peer.CarrierUp, "veth carrier");
            using var batch = new PacketBatch();

            // Queued on the socket while nobody reads it: the handover must not lose it.
            PortProbe.Fill(batch, Marker(1));
            Assert.Equal(1, peer.Send(batch));

            int fd = PassAndReceive(original.PollFd);
            AfPacketPort adopted;
            try
            {
                adopted = AfPacketPort.Adopt(fd, a);
            }
            catch
            {
                FdPassing.Close([fd]);
                throw;
            }

            using (adopted)
            {
                Assert.Equal(fd, adopted.PollFd);
                Assert.NotEqual(original.PollFd, adopted.PollFd);
                Assert.Equal(a, adopted.Name);
                Assert.Equal(original.IfIndex, adopted.IfIndex);
                Assert.Equal(original.MacAddress, adopted.MacAddress);
                Assert.Equal(original.ReadReceiveBufferBytes(), adopted.ReadReceiveBufferBytes());

                original.Dispose();
                Assert.Equal(-1, original.PollFd);

                // The socket, and with it the promiscuous membership, outlives the original's descriptor.
                Assert.NotEqual(0, ReadFlags(a) & IffPromisc);
                PortProbe.Fill(batch, Marker(2));
                Assert.Equal(1, peer.Send(batch));

                // Both arrive in order; one receive may return both, so look at every frame seen.
                var tags = new List<byte>();
                PortProbe.ReceiveUntil(
                    adopted,
                    batch,
                    _ => tags.Contains(2),
                    "frames queued before the handover and sent after the original closed",
                    f =>
                    {
                        if (IsMarker(f, 1) || IsMarker(f, 2))
                        {
                            tags.Add(f[14]);
                        }
                    });
                Assert.Equal([1, 2], tags);

                PortProbe.Fill(batch, Marker(3));
                Assert.Equal(1, adopted.Send(batch));
                PortProbe.ReceiveUntil(peer, batch, f => IsMarker(f, 3), "frame sent through the adopted port");
            }

            // Both descriptors closed: the socket is gone and its membership with it (bounded, see the TAP test).
            PortProbe.WaitUntil(() => (ReadFlags(a) & IffPromisc) == 0, "promiscuous mode off with the last descriptor");
        }
        finally
        {
            original?.Dispose();
            NetNs.TryRun("ip", "link", "del", a);
        }
    }

    [RootFact]
    public void Adopting_an_af_packet_socket_under_another_interface_name_fails_and_leaves_the_descriptor_to_the_caller()
    {
        string suffix = NetNs.RandomHex(6);
        string a = "fda" + suffix;
        string b = "fdb" + suffix;
        NetNs.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        try
        {
            using AfPacketPort original = AfPacketPort.Open(a);
            int fd = PassAndReceive(original.PollFd);
            try
            {
                PortException e = Assert.Throws<PortException>(() => AfPacketPort.Adopt(fd, b));
                Assert.Equal(
                    $"cannot adopt descriptor {fd} as AF_PACKET on '{b}': the socket is bound to ifindex {original.IfIndex}, '{b}' has ifindex {InterfaceInfo.GetIfIndex(b)}",
                    e.Message);

                // Still open and still ours: adopting it under the right name works.
                using AfPacketPort adopted = AfPacketPort.Adopt(fd, a);
                fd = -1;
                Assert.Equal(original.IfIndex, adopted.IfIndex);
            }
            finally
            {
                FdPassing.Close([fd]);
            }
        }
        finally
        {
            NetNs.TryRun("ip", "link", "del", a);
        }
    }

    [Fact]
    public void Adopting_a_descriptor_that_is_not_a_port_gives_a_clear_error()
    {
        PortException unixSocket = Assert.Throws<PortException>(() => AfPacketPort.Adopt(_pair.Child, "lo"));
        Assert.Equal($"cannot adopt descriptor {_pair.Child} as AF_PACKET on 'lo': the socket is of address family 1, not AF_PACKET", unixSocket.Message);

        PortException tap = Assert.Throws<PortException>(() => TapPort.Adopt(_pair.Child, "fdtap0"));
        Assert.Equal($"cannot adopt descriptor {_pair.Child} as TAP 'fdtap0': {Marshal.GetPInvokeErrorMessage(25)}", tap.Message); // ENOTTY
        Assert.Equal(25, tap.Errno);

        PortException name = Assert.Throws<PortException>(() => TapPort.Adopt(_pair.Child, "no/slash"));
        Assert.StartsWith("cannot adopt descriptor", name.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AfPacketPort.Adopt(-1, "lo"));
        Assert.Throws<ArgumentOutOfRangeException>(() => TapPort.Adopt(-1, "fdtap0"));

        // The failed adoptions left the descriptor open: it still carries data.
        Assert.Equal(1, FdPassing.Send(_pair.Parent, "x"u8, []));
        Assert.Equal(1, FdPassing.Receive(_pair.Child, new byte[4], new int[1], out _));
    }

    [RootFact]
    public void Adopted_tap_keeps_the_device_after_the_original_closes_and_removes_it_when_disposed()
    {
        string name = "fdtap" + NetNs.RandomHex(6);
        TapPort original = TapPort.Create(name);
        TapPort? adopted = null;
        try
        {
            using var batch = new PacketBatch();
            using (AfPacketPort host = AfPacketPort.Open(name))
            {
                // Sent into the TAP by the host while nobody reads its descriptor.
                PortProbe.Fill(batch, Marker(1));
                Assert.Equal(1, host.Send(batch));

                int fd = PassAndReceive(original.PollFd);
                try
                {
                    // The device may have been renamed since (a lab moves TAPs into namespaces as eth0): the port keeps
                    // its configured name and reads the device under the name it has.
                    adopted = TapPort.Adopt(fd, name + "z");
                }
                catch
                {
                    FdPassing.Close([fd]);
                    throw;
                }

                Assert.Equal(fd, adopted.PollFd);
                Assert.Equal(name + "z", adopted.Name);
                Assert.Equal(original.IfIndex, adopted.IfIndex);
                Assert.Equal(original.MacAddress, adopted.MacAddress);

                original.Dispose();
                Assert.True(Directory.Exists("/sys/class/net/" + name), "the TAP went with the original's descriptor");
                Assert.True(adopted.CarrierUp);

                PortProbe.ReceiveUntil(adopted, batch, f => IsMarker(f, 1), "frame queued on the TAP before the handover");
                PortProbe.Fill(batch, Marker(2));
                Assert.Equal(1, adopted.Send(batch));
                PortProbe.ReceiveUntil(host, batch, f => IsMarker(f, 2), "frame written through the adopted descriptor");
            }

            adopted.Dispose();

            // Gone with the last descriptor (bounded: a process a parallel test is forking holds a copy until its exec).
            PortProbe.WaitUntil(() => !Directory.Exists("/sys/class/net/" + name), "TAP removal with the adopted port");
        }
        finally
        {
            original.Dispose();
            adopted?.Dispose();
        }
    }

    [RootFact]
    public void Tap_moved_into_another_namespace_is_adopted_with_its_ifindex_and_mac()
    {
        using NetNs ns = NetNs.Create();
        string name = "fdtap" + NetNs.RandomHex(6);
        TapPort original = TapPort.Create(name);
        TapPort? adopted = null;
        try
        {
            NetNs.Run("ip", "link", "set", name, "netns", ns.Name);
            Assert.False(Directory.Exists("/sys/class/net/" + name));
            int fd = PassAndReceive(original.PollFd);
            try
            {
                adopted = TapPort.Adopt(fd, name);
            }
            catch
            {
                FdPassing.Close([fd]);
                throw;
            }

            string nsIfIndex = ns.Exec("cat", $"/sys/class/net/{name}/ifindex").Trim();
            Assert.Equal(int.Parse(nsIfIndex), adopted.IfIndex);
            Assert.Equal(original.IfIndex, adopted.IfIndex);
            Assert.Equal(Frames.ParseMac(ns.Exec("cat", $"/sys/class/net/{name}/address")), adopted.MacAddress);
            Assert.Equal(original.MacAddress, adopted.MacAddress);
            Assert.Equal(new FileInfo("/proc/thread-self/ns/net").LinkTarget, new FileInfo("/proc/self/ns/net").LinkTarget);

            original.Dispose();
            Assert.Equal(0, ns.TryExec("ip", "link", "show", "dev", name));
            adopted.Dispose();
            PortProbe.WaitUntil(() => ns.TryExec("ip", "link", "show", "dev", name) != 0, "TAP removal in the namespace");
        }
        finally
        {
            original.Dispose();
            adopted?.Dispose();
        }
    }

    [RootFact]
    public void The_backlog_of_an_adopted_af_packet_socket_is_counted_by_its_first_reads_and_its_statistics_by_descriptor()
    {
        string suffix = NetNs.RandomHex(6);
        string a = "fda" + suffix;
        string b = "fdb" + suffix;
        NetNs.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        try
        {
            // No IPv6 on the pair: nothing but the test's frames crosses it.
            NetNs.Run("sysctl", "-qw", $"net.ipv6.conf.{a}.disable_ipv6=1", $"net.ipv6.conf.{b}.disable_ipv6=1");
            NetNs.Run("ip", "link", "set", a, "up");
            NetNs.Run("ip", "link", "set", b, "up");
            using AfPacketPort original = AfPacketPort.Open(a);
            using AfPacketPort peer = AfPacketPort.Open(b);
            PortProbe.WaitUntil(() => original.CarrierUp && peer.CarrierUp, "veth carrier");
            using var batch = new PacketBatch();
            AfPacketPort.TakeStatistics(original.PollFd);

            // Nothing queued: counted as 0 at once.
            original.Backlog.Arm(original.PollFd);
            Assert.Equal(0, original.Backlog.Frames);

            // Seven frames queue while nobody reads; the socket's statistics count them, read through the bare descriptor.
            PortProbe.Fill(batch, Marker(1), Marker(2), Marker(3), Marker(4), Marker(5), Marker(6), Marker(7));
            Assert.Equal(7, peer.Send(batch));
            int fd = PassAndReceive(original.PollFd);
            using AfPacketPort adopted = AfPacketPort.Adopt(fd, a);
            // (veth delivers in a softirq: the frames reach the socket shortly after the send.)
            long arrived = 0, dropped = 0;
            PortProbe.WaitUntil(
                () =>
                {
                    var (r, d) = AfPacketPort.TakeStatistics(fd);
                    (arrived, dropped) = (arrived + r, dropped + d);
                    return arrived >= 7;
                },
                "seven frames counted by PACKET_STATISTICS");
            Assert.Equal((7L, 0L), (arrived, dropped));
            Assert.Equal((0L, 0L), AfPacketPort.TakeStatistics(original.PollFd));

            // Two frames per receive: the count runs until a receive finds the queue empty.
            using var small = new PacketBatch(2);
            adopted.Backlog.Arm(adopted.PollFd);
            Assert.Null(adopted.Backlog.Frames);
            while (adopted.Receive(small) > 0)
            {
            }

            Assert.Equal(7, adopted.Backlog.Frames);
            Assert.Equal(7, adopted.Counters.RxPackets);
        }
        finally
        {
            NetNs.TryRun("ip", "link", "del", a);
        }
    }

    [RootFact]
    public void The_backlog_of_a_tap_device_is_counted_by_its_first_reads()
    {
        string name = "fdtap" + NetNs.RandomHex(6);
        using TapPort tap = TapPort.Create(name);
        NetNs.Run("sysctl", "-qw", $"net.ipv6.conf.{name}.disable_ipv6=1");
        using AfPacketPort host = AfPacketPort.Open(name);
        using var batch = new PacketBatch();
        while (tap.Receive(batch) > 0)
        {
            // Whatever the kernel sent before IPv6 was off.
        }

        PortProbe.Fill(batch, Marker(1), Marker(2), Marker(3), Marker(4), Marker(5));
        Assert.Equal(5, host.Send(batch));
        Assert.True(LibC.WaitReadable(tap.PollFd, 0), "the frames sent into the TAP are queued on its descriptor at once");
        tap.Backlog.Arm(tap.PollFd);
        using var small = new PacketBatch(2);
        while (tap.Receive(small) > 0)
        {
        }

        Assert.Equal(5, tap.Backlog.Frames);
    }

    /// <summary>Passes <paramref name="fd"/> over the socketpair and returns the descriptor that arrived (the caller owns it).</summary>
    private int PassAndReceive(int fd) => PortProbe.PassAndReceive(_pair, fd);

    /// <summary>A 60-byte frame of the local experimental EtherType carrying <paramref name="tag"/> and this test's token.</summary>
    private byte[] Marker(byte tag)
    {
        byte[] f = new byte[60];
        Frames.WriteMac(f, 0x02_fd_00_00_00_01);
        Frames.WriteMac(f.AsSpan(6), 0x02_fd_00_00_00_02);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), EtherTypeLocalExperimental);
        f[14] = tag;
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(15), _token);
        return f;
    }

    private bool IsMarker(byte[] f, byte tag) =>
        f.Length >= 23
        && Frames.EtherType(f) == EtherTypeLocalExperimental
        && f[14] == tag
        && BinaryPrimitives.ReadUInt64BigEndian(f.AsSpan(15)) == _token;

    private static int ReadFlags(string name) => Convert.ToInt32(File.ReadAllText($"/sys/class/net/{name}/flags").Trim(), 16);
}

/// <summary>A fact that needs root (veth pairs, TAP devices, namespaces); skipped with a reason otherwise.</summary>
file sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (GetEUid() != 0)
        {
            Skip = "needs root: creates veth pairs, TAP devices and network namespaces";
        }
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEUid();
}
