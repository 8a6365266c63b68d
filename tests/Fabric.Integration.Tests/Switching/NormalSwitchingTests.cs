using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Switching;

/// <summary>NORMAL switching between real network namespaces through AF_PACKET and TAP ports.</summary>
public sealed class NormalSwitchingTests
{
    [RootFact]
    public async Task All_pairs_ping_in_one_vlan_over_afpacket_and_tap_ports()
    {
        await using var lab = await SwitchLab.StartAsync([(false, 10), (true, 10), (false, 10), (true, 10)]);
        foreach (var a in lab.Hosts)
        {
            foreach (var b in lab.Hosts)
            {
                if (a != b)
                {
                    Assert.Equal(0, SwitchLab.Ping(a, b.Ip, count: 5));
                }
            }
        }

        var fdb = await lab.Ctl("fdb/show", "br0");
        Assert.Equal(0, fdb.Status);
        foreach (var h in lab.Hosts)
        {
            Assert.Contains(h.Mac, fdb.Output);
        }
    }

    [RootFact]
    public async Task Vlans_are_isolated_and_access_ports_see_no_foreign_frames()
    {
        await using var lab = await SwitchLab.StartAsync([(false, 10), (false, 10), (false, 20), (true, 20)]);
        var (h1, h2, h3, h4) = (lab.Hosts[0], lab.Hosts[1], lab.Hosts[2], lab.Hosts[3]);
        await using var capture = await Capture.StartAsync(h3, "arp or icmp");

        Assert.Equal(100, SwitchLab.Ping(h1, h3.Ip, count: 3, interval: 0.2));
        Assert.Equal(100, SwitchLab.Ping(h4, h1.Ip, count: 3, interval: 0.2));
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 5));
        Assert.Equal(0, SwitchLab.Ping(h3, h4.Ip, count: 5));

        var lines = await capture.StopAsync();
        // h3 (VLAN 20) may see its own and h4's traffic, never a frame from VLAN 10's hosts.
        Assert.DoesNotContain(lines, l => l.Contains(h1.Mac, StringComparison.OrdinalIgnoreCase) || l.Contains(h2.Mac, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(lines, l => l.Contains(h4.Mac, StringComparison.OrdinalIgnoreCase));
    }

    [RootFact]
    public async Task Unknown_unicast_is_flooded_then_sent_out_one_port_once_learned()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (false, null), (false, null)]);
        var (h1, h2, h3) = (lab.Hosts[0], lab.Hosts[1], lab.Hosts[2]);
        // h1 knows h2's MAC statically, so its first frame to h2 is unknown unicast to the fabric (no ARP broadcast first).
        Shell.Must("ip", "-n", h1.Namespace, "neigh", "replace", h2.Ip, "lladdr", h2.Mac, "dev", "eth0", "nud", "permanent");
        Shell.Must("ip", "-n", h2.Namespace, "neigh", "replace", h1.Ip, "lladdr", h1.Mac, "dev", "eth0", "nud", "permanent");

        Assert.Equal(0, (await lab.Ctl("fdb/flush", "br0")).Status);
        await using (var flood = await Capture.StartAsync(h3, $"icmp and ether dst {h2.Mac}"))
        {
            // One echo request: h2 is unknown, so it is flooded and h3 sees it; h2's reply teaches the fabric where h2 is.
            Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 1));
            var first = await flood.StopAsync();
            Assert.Contains(first, l => l.Contains("ICMP echo request", StringComparison.Ordinal));
        }

        var fdb = (await lab.Ctl("fdb/show", "br0")).Output;
        Assert.Contains(h2.Mac, fdb);

        await using var learned = await Capture.StartAsync(h3, $"icmp and ether dst {h2.Mac}");
        Assert.Equal(0, SwitchLab.Ping(h1, h2.Ip, count: 20, interval: 0.02));
        var after = await learned.StopAsync();
        Assert.DoesNotContain(after, l => l.Contains("ICMP", StringComparison.Ordinal));

        // The megaflow for h1 -> h2 now outputs to h2's port only.
        var h2Port = lab.Node.Bridges[0].Settings.Ports.Single(p => p.Name == h2.PortName).DpPort;
        var flows = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n');
        Assert.Contains(flows, l => l.Contains($"eth(src={h1.Mac},dst={h2.Mac})", StringComparison.Ordinal) && l.EndsWith($"actions:{h2Port}", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_mac_move_relearns_the_port_and_removes_megaflows_to_the_old_one()
    {
        await using var lab = await SwitchLab.StartAsync([(false, null), (false, null), (false, null)]);
        var (h1, h2, h3) = (lab.Hosts[0], lab.Hosts[1], lab.Hosts[2]);
        Assert.Equal(0, SwitchLab.Ping(h1, h3.Ip, count: 5));
        var ports = lab.Node.Bridges[0].Settings.Ports;
        var of3 = ports.Single(p => p.Name == h3.PortName).OfPort;
        var of2 = ports.Single(p => p.Name == h2.PortName).OfPort;
        var dp3 = ports.Single(p => p.Name == h3.PortName).DpPort;
        Assert.Matches($@"\s{of3}\s+0\s+{h3.Mac}", (await lab.Ctl("fdb/show", "br0")).Output);

        // h3's address (MAC and IP) moves to h2's port: h3 goes away, h2 takes over its identity.
        Shell.Must("ip", "-n", h3.Namespace, "link", "set", "eth0", "down");
        Shell.Must("ip", "-n", h2.Namespace, "addr", "flush", "dev", "eth0");
        Shell.Must("ip", "-n", h2.Namespace, "link", "set", "eth0", "address", h3.Mac);
        Shell.Must("ip", "-n", h2.Namespace, "addr", "add", h3.Ip + "/24", "dev", "eth0");
        // The first frame from the new location (h2's ARP request for h1) moves the entry.
        Assert.Equal(0, SwitchLab.Ping(h2, h1.Ip, count: 3));

        Assert.Matches($@"\s{of2}\s+0\s+{h3.Mac}", (await lab.Ctl("fdb/show", "br0")).Output);
        Assert.Equal(0, SwitchLab.Ping(h1, h3.Ip, count: 10));
        var flows = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n');
        Assert.DoesNotContain(flows, l => l.Contains($"dst={h3.Mac})", StringComparison.Ordinal) && l.EndsWith($"actions:{dp3}", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Megaflows_wildcard_what_normal_never_looked_at()
    {
        await using var lab = await SwitchLab.StartAsync([(false, 10), (true, 10)]);
        Assert.Equal(0, SwitchLab.Ping(lab.Hosts[0], lab.Hosts[1].Ip, count: 5));
        var flows = (await lab.Ctl("dpctl/dump-flows")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ipFlows = flows.Where(l => l.Contains("eth_type(0x0800)", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ipFlows);
        foreach (var line in ipFlows)
        {
            Assert.Contains("ipv4(frag=no)", line);        // only the fragment bits of the IP header are matched
            Assert.DoesNotContain("src=" + lab.Subnet, line); // no IP addresses
            Assert.DoesNotContain("proto=", line);           // no IP protocol
            Assert.DoesNotContain("icmp(", line);            // no L4 fields
            Assert.Matches(@"packets:\d+, bytes:\d+, used:(\d+\.\d{3}s|never), actions:", line);
        }
    }
}
