using System.Text.Json;
using Fabric.Datapath.Ports.Vxlan;
using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Vxlan;

/// <summary>
/// A real-kernel VXLAN lab, uniquely named and removed even after a failure:
/// <list type="bullet">
/// <item>the underlay: a veth pair from this (root) namespace, where the in-process Fabric node binds its VTEP
/// (10.U.V.1, UDP 4789), to namespace <see cref="KernelNs"/> (10.U.V.2);</item>
/// <item>in <see cref="KernelNs"/> a Linux kernel vxlan device, <c>vx100</c> (VNI 100, remote = Fabric's VTEP, local
/// 10.U.V.2, dstport 4789) with overlay address 172.O.P.2/24;</item>
/// <item>a second kernel vxlan on the same underlay socket, VNI 200, moved to namespace <see cref="OtherVniNs"/> with
/// overlay address 172.O.P.3/24 (in the same subnet, so only the VNI keeps it apart);</item>
/// <item>a VM namespace behind Fabric, <see cref="Vm"/> (172.O.P.1/24), on an AF_PACKET (veth) or TAP port of bridge
/// br0, whose other port is the static vxlan port <c>vx-ID</c> to 10.U.V.2 with key 100.</item>
/// </list>
/// </summary>
public sealed class VxlanLab : IAsyncDisposable
{
    private readonly List<string> _namespaces = new();
    private readonly List<string> _links = new();
    private readonly string _dir;

    private VxlanLab(string id)
    {
        Id = id;
        _dir = Directory.CreateTempSubdirectory("fabric-vxlan-").FullName;
        int u = Random.Shared.Next(100, 200);
        int v = Random.Shared.Next(1, 250);
        UnderlayFabric = $"10.{u}.{v}.1";
        UnderlayKernel = $"10.{u}.{v}.2";
        string overlay = $"172.{Random.Shared.Next(16, 32)}.{Random.Shared.Next(1, 250)}";
        VmIp = $"{overlay}.1";
        KernelIp = $"{overlay}.2";
        OtherVniIp = $"{overlay}.3";
        KernelNs = $"fabx-{id}-k";
        OtherVniNs = $"fabx-{id}-o";
        UnderlayLink = $"fu-{id}";
        TunnelPort = $"vx-{id}";
    }

    public string Id { get; }

    /// <summary>Fabric's VTEP address (root namespace).</summary>
    public string UnderlayFabric { get; }

    /// <summary>The kernel VTEP's address (in <see cref="KernelNs"/>).</summary>
    public string UnderlayKernel { get; }

    /// <summary>The root-namespace end of the underlay veth.</summary>
    public string UnderlayLink { get; }

    /// <summary>The namespace with the underlay's far end and the kernel vxlan device <c>vx100</c>.</summary>
    public string KernelNs { get; }

    /// <summary>The namespace holding <c>vx200</c>, the kernel vxlan device of VNI 200.</summary>
    public string OtherVniNs { get; }

    /// <summary>The name of the vxlan port of br0.</summary>
    public string TunnelPort { get; }

    public string VmIp { get; }

    public string KernelIp { get; }

    public string OtherVniIp { get; }

    /// <summary>The VM behind Fabric.</summary>
    public LabHost Vm { get; private set; } = null!;

    public InProcessFabric Fabric { get; private set; } = null!;

    /// <summary>Fabric's VXLAN endpoint (the datapath port vxlan_sys_4789).</summary>
    public VxlanEndpoint Endpoint => Fabric.Node.Datapath.Ports.Values.OfType<VxlanEndpoint>().Single();

    /// <summary>The tunnel port of br0.</summary>
    public VxlanTunnelPort Tunnel => Endpoint.Tunnels.Single();

    /// <summary>Builds the lab and starts the node; the VM is attached through a TAP port when <paramref name="tap"/>.</summary>
    public static async Task<VxlanLab> StartAsync(bool tap)
    {
        string id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        var lab = new VxlanLab(id);
        try
        {
            lab.Build(tap);
            string config = $$"""
                fabric {
                  node-name = vxlab-{{id}}
                  state-dir = "{{Path.Combine(lab._dir, "state")}}"
                  control.socket = "{{Path.Combine(lab._dir, "fabric.ctl")}}"
                  bridges = [ { name = br0, ports = [
                    { name = {{lab.Vm.PortName}}{{(tap ? ", type = tap" : "")}} }
                    { name = {{lab.TunnelPort}}, type = vxlan, remote_ip = "{{lab.UnderlayKernel}}", key = 100, local_ip = "{{lab.UnderlayFabric}}" }
                  ] } ]
                }
                """;
            lab.Fabric = await InProcessFabric.StartAsync(config, "vxlan-lab.conf");
            if (tap)
            {
                Shell.Must("ip", "link", "set", lab.Vm.PortName, "netns", lab.Vm.Namespace);
                Shell.Must("ip", "-n", lab.Vm.Namespace, "link", "set", lab.Vm.PortName, "name", "eth0");
                lab.ConfigureVm();
            }

            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>The kernel's receive counter of a device (packets), from <c>ip -s -j link show</c>.</summary>
    public static long RxPackets(string ns, string device)
    {
        string json = Shell.Must("ip", "-n", ns, "-s", "-j", "link", "show", device);
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetInt64();
    }

    /// <summary>The tunnel's and the endpoint's counters and drop reasons, for failure messages.</summary>
    public string Describe()
    {
        var t = Tunnel.Counters;
        var e = Endpoint.Counters;
        return $"tunnel rx {t.RxPackets}/{t.RxBytes} B (dropped {t.RxDropped}), tx {t.TxPackets}/{t.TxBytes} B (dropped {t.TxDropped}); "
            + $"endpoint rx {e.RxPackets} (dropped {e.RxDropped}: {Endpoint.Drops})";
    }

    public async ValueTask DisposeAsync()
    {
        if (Fabric is not null)
        {
            await Fabric.DisposeAsync();
        }

        LabTeardown.Remove(_namespaces, _links, _dir);
    }

    private void Build(bool tap)
    {
        string vmNs = $"fabx-{Id}-vm";
        string vmPort = tap ? $"fxt-{Id}" : $"fxv-{Id}";
        Vm = new LabHost(vmNs, vmPort, VmIp, $"02:{Convert.ToInt32(Id[..2], 16):x2}:{Convert.ToInt32(Id[2..4], 16):x2}:00:00:01", tap, null);
        foreach (string ns in new[] { KernelNs, OtherVniNs, vmNs })
        {
            Shell.Must("ip", "netns", "add", ns);
            _namespaces.Add(ns);

            // No IPv6 chatter (router solicitations, MLD, DAD) on the overlay: only what the tests send crosses it.
            Shell.InNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
        }

        // The underlay: Fabric's VTEP here, the kernel's over the veth.
        Shell.Must("ip", "link", "add", UnderlayLink, "type", "veth", "peer", "name", "eth0", "netns", KernelNs);
        _links.Add(UnderlayLink);
        Shell.Must("ip", "addr", "add", UnderlayFabric + "/24", "dev", UnderlayLink);
        Shell.Must("ip", "link", "set", UnderlayLink, "up");
        Shell.Must("ip", "-n", KernelNs, "addr", "add", UnderlayKernel + "/24", "dev", "eth0");
        Shell.Must("ip", "-n", KernelNs, "link", "set", "eth0", "up");

        // The kernel VTEP: VNI 100 here; VNI 200 on the same underlay socket, its device moved to its own namespace.
        Shell.Must("ip", "-n", KernelNs, "link", "add", "vx100", "type", "vxlan", "id", "100", "remote", UnderlayFabric, "local", UnderlayKernel, "dstport", "4789");
        Shell.Must("ip", "-n", KernelNs, "link", "set", "vx100", "mtu", "1500");
        Shell.Must("ip", "-n", KernelNs, "addr", "add", KernelIp + "/24", "dev", "vx100");
        Shell.Must("ip", "-n", KernelNs, "link", "set", "vx100", "up");
        Shell.Must("ip", "-n", KernelNs, "link", "add", "vx200", "type", "vxlan", "id", "200", "remote", UnderlayFabric, "local", UnderlayKernel, "dstport", "4789");
        Shell.Must("ip", "-n", KernelNs, "link", "set", "vx200", "netns", OtherVniNs);
        Shell.Must("ip", "-n", OtherVniNs, "addr", "add", OtherVniIp + "/24", "dev", "vx200");
        Shell.Must("ip", "-n", OtherVniNs, "link", "set", "vx200", "up");

        if (!tap)
        {
            Shell.Must("ip", "link", "add", vmPort, "type", "veth", "peer", "name", "eth0", "netns", vmNs);
            _links.Add(vmPort);
            Shell.Must("ip", "link", "set", vmPort, "up");
            ConfigureVm();
        }
    }

    private void ConfigureVm()
    {
        Shell.Must("ip", "-n", Vm.Namespace, "link", "set", "eth0", "address", Vm.Mac);
        Shell.Must("ip", "-n", Vm.Namespace, "addr", "add", Vm.Ip + "/24", "dev", "eth0");
        Shell.Must("ip", "-n", Vm.Namespace, "link", "set", "eth0", "up");
    }
}
