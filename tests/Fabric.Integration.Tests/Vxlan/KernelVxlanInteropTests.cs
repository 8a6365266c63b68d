using System.Text.RegularExpressions;
using Fabric.Datapath.Packets;
using Fabric.Integration.Tests.Lab;
using Capture = Fabric.Integration.Tests.Lab.Capture;

namespace Fabric.Integration.Tests.Vxlan;

/// <summary>
/// Interop with the Linux kernel's vxlan driver (issue 8): a VM behind Fabric and a kernel vxlan device at the far
/// end of a static vxlan port exchange traffic both ways over a real underlay, the underlay carries UDP 4789 with the
/// right VNI, another VNI on the same remote VTEP gets nothing, and a full-size frame crosses by fragmentation.
/// </summary>
public sealed class KernelVxlanInteropTests
{
    [RootFact]
    public async Task A_vm_behind_fabric_and_a_kernel_vxlan_device_ping_both_ways_with_vni_100_on_the_underlay()
    {
        await using var lab = await VxlanLab.StartAsync(tap: false);
        await using var underlay = await Capture.StartAsync(lab.KernelNs, "eth0", "udp port 4789");

        Assert.Equal(0, Ping(lab.Vm.Namespace, lab.KernelIp, 5));
        Assert.Equal(0, Ping(lab.KernelNs, lab.VmIp, 5));

        IReadOnlyList<string> lines = await underlay.StopAsync();
        string fromFabric = $"{lab.UnderlayFabric}.4789 > {lab.UnderlayKernel}.4789: VXLAN, flags [I] (0x08), vni 100";
        Assert.Contains(lines, l => l.Contains(fromFabric, StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"{Regex.Escape(lab.UnderlayKernel)}\.\d+ > {Regex.Escape(lab.UnderlayFabric)}\.4789: VXLAN, flags \[I\] \(0x08\), vni 100"));
        Assert.All(lines.Where(l => l.Contains("VXLAN", StringComparison.Ordinal)), l => Assert.Contains("vni 100", l, StringComparison.Ordinal));

        // Both ways counted by the tunnel port; nothing dropped for VNI 100.
        Assert.True(lab.Tunnel.Counters.RxPackets >= 10, $"rx {lab.Tunnel.Counters.RxPackets}");
        Assert.True(lab.Tunnel.Counters.TxPackets >= 10, $"tx {lab.Tunnel.Counters.TxPackets}");
        Assert.Equal(0, lab.Tunnel.Counters.TxDropped);
    }

    [RootFact]
    public async Task Dump_flows_show_and_dpctl_show_print_the_tunnel_as_ovs_does()
    {
        await using var lab = await VxlanLab.StartAsync(tap: false);
        Assert.Equal(0, Ping(lab.Vm.Namespace, lab.KernelIp, 3));
        ushort t = lab.Tunnel.DatapathPort;
        ushort e = lab.Fabric.Node.Datapath.Ports.Single(p => ReferenceEquals(p.Value, lab.Endpoint)).Key;
        ushort vm = lab.Fabric.Node.Bridges[0].Settings.Ports.Single(p => p.Name == lab.Vm.PortName).DpPort;

        (long Packets, long Bytes) before = (lab.Tunnel.Counters.RxPackets, lab.Tunnel.Counters.RxBytes);
        string[] flows = (await lab.Fabric.Ctl("dpctl/dump-flows")).Split('\n');
        (long Packets, long Bytes) after = (lab.Tunnel.Counters.RxPackets, lab.Tunnel.Counters.RxBytes);

        string push = $"tnl_push(tnl_port({t}),header(size=50,type=4,eth(dl_type=0x0800),ipv4(src={lab.UnderlayFabric},dst={lab.UnderlayKernel},proto=17,tos=0,ttl=64,frag=0x0),udp(src=4789,dst=4789,csum=0xffff),vxlan(flags=0x8000000,vni=0x64)),out_port({e}))";
        Assert.Contains(flows, l => l.StartsWith($"recirc_id(0),in_port({vm}),", StringComparison.Ordinal) && l.EndsWith("actions:" + push, StringComparison.Ordinal));
        Assert.Contains(flows, l => l.StartsWith($"tunnel(tun_id=0x64,src={lab.UnderlayKernel},dst={lab.UnderlayFabric},flags(+key)),recirc_id(0),in_port({t}),", StringComparison.Ordinal) && l.EndsWith($"actions:{vm}", StringComparison.Ordinal));
        string pop = Assert.Single(flows, l => l.EndsWith($"actions:tnl_pop({t})", StringComparison.Ordinal));
        Match counted = Regex.Match(pop, $@"^recirc_id\(0\),in_port\({e}\),packet_type\(ns=0,id=0\),eth_type\(0x0800\),ipv4\(src={Regex.Escape(lab.UnderlayKernel)},dst={Regex.Escape(lab.UnderlayFabric)},proto=17\),udp\(dst=4789\),vxlan\(vni=0x64\), packets:(\d+), bytes:(\d+), used:\d+\.\d{{3}}s, actions:tnl_pop\({t}\)$");
        Assert.True(counted.Success, pop);
        long packets = long.Parse(counted.Groups[1].Value);
        long bytes = long.Parse(counted.Groups[2].Value);
        Assert.True(packets >= 4, pop); // at least the ARP reply and three echo replies
        Assert.InRange(packets, before.Packets, after.Packets);

        // The outer frames: the tunnel's inner bytes plus 50 bytes of encapsulation per datagram.
        Assert.InRange(bytes, before.Bytes + (50 * before.Packets), after.Bytes + (50 * after.Packets));

        string show = await lab.Fabric.Ctl("show");
        Assert.Contains(
            $"        Port {lab.TunnelPort}\n            Interface {lab.TunnelPort}\n                type: vxlan\n"
            + $"                options: {{key=\"100\", local_ip=\"{lab.UnderlayFabric}\", remote_ip=\"{lab.UnderlayKernel}\"}}\n"
            + $"                ofport: 2\n                dp_port: {t}\n                link_state: up\n",
            show,
            StringComparison.Ordinal);
        string dpShow = await lab.Fabric.Ctl("dpctl/show");
        Assert.Contains($"  port {e}: vxlan_sys_4789 (vxlan: dst_port=4789, local_ip={lab.UnderlayFabric})\n", dpShow, StringComparison.Ordinal);
        Assert.Contains($"  port {t}: {lab.TunnelPort} (vxlan: key=100, local_ip={lab.UnderlayFabric}, remote_ip={lab.UnderlayKernel})\n", dpShow, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_kernel_vxlan_with_another_vni_on_the_same_remote_gets_nothing_and_its_frames_are_dropped_and_counted()
    {
        await using var lab = await VxlanLab.StartAsync(tap: false);
        await using var vmSees = await Capture.StartAsync(lab.Vm.Namespace, "eth0", "arp or icmp", "-Q", "in");

        // VNI 200 asks for the VM (its ARP broadcasts reach Fabric from the kernel VTEP's address with VNI 200) ...
        Assert.Equal(100, Ping(lab.OtherVniNs, lab.VmIp, 3));
        // ... and the VM's own broadcasts and pings go to VNI 100 only.
        Assert.Equal(0, Ping(lab.Vm.Namespace, lab.KernelIp, 3));
        Assert.Equal(100, Ping(lab.Vm.Namespace, lab.OtherVniIp, 2));

        // Fabric dropped VNI 200 as a VNI its remote has no tunnel for; the VM never heard of 172.O.P.3.
        Assert.True(lab.Endpoint.Drops.Get(DropReason.VxlanUnknownVni) >= 1, lab.Endpoint.Drops.ToString());
        Assert.Equal(0, lab.Endpoint.Drops.Get(DropReason.VxlanUnknownRemote));
        Assert.Equal(0, VxlanLab.RxPackets(lab.OtherVniNs, "vx200"));
        IReadOnlyList<string> lines = await vmSees.StopAsync();
        Assert.DoesNotContain(lines, l => l.Contains(lab.OtherVniIp, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"{lab.KernelIp} > {lab.VmIp}: ICMP echo reply", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_1500_byte_inner_packet_crosses_a_1500_byte_underlay_in_fragments_both_ways()
    {
        await using var lab = await VxlanLab.StartAsync(tap: true);
        await using var underlay = await Capture.StartAsync(lab.KernelNs, "eth0", "udp port 4789 or (ip[6:2] & 0x1fff != 0)", "-v");

        // 1472 bytes of ICMP payload: an inner IPv4 packet of exactly 1500 bytes, 1514 on the wire; with 50 bytes of
        // VXLAN encapsulation the outer packet is 1550 bytes, over the underlay's MTU. From the VM with DF set inside
        // (-M do), so only the outer packet can be fragmented: Fabric's socket never sets DF and the kernel fragments.
        double toKernel = Ping(lab.Vm.Namespace, lab.KernelIp, 3, "-M", "do", "-s", "1472");

        // The kernel's vxlan driver learns the tunnel's path MTU from the first such packet and then fragments the
        // inner packets itself (skb_tunnel_check_pmtu), so from its side the pings are sent as the kernel allows.
        double toVm = Ping(lab.KernelNs, lab.VmIp, 3, "-s", "1472");
        string text = string.Join('\n', await underlay.StopAsync());
        Assert.True(toKernel == 0 && toVm == 0, $"loss {toKernel}% / {toVm}%; {lab.Describe()}\n{text}");
        // Fabric's datagrams: a first fragment (more fragments, offset 0) from its VTEP, and the rest.
        Assert.Matches($@"offset 0, flags \[\+\], proto UDP \(17\), length 1500\)\s+{Regex.Escape(lab.UnderlayFabric)}\.4789 > {Regex.Escape(lab.UnderlayKernel)}\.4789: VXLAN, flags \[I\] \(0x08\), vni 100", text);
        Assert.Matches($@"offset 1480, flags \[none\], proto UDP \(17\), length 70\)\s+{Regex.Escape(lab.UnderlayFabric)} > {Regex.Escape(lab.UnderlayKernel)}", text);
        Assert.Equal(0, lab.Endpoint.Counters.RxDropped);
    }

    /// <summary>Pings from namespace <paramref name="ns"/>; returns the loss in percent.</summary>
    private static double Ping(string ns, string ip, int count, params string[] options)
    {
        Shell.Result r = Shell.InNs(ns, "ping", ["-q", "-c", count.ToString(), "-i", "0.05", "-W", "1", .. options, ip]);
        Match m = Regex.Match(r.Stdout, @"([0-9.]+)% packet loss");
        return m.Success ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 100;
    }
}
