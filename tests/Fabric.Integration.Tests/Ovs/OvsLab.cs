using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Ovs;

/// <summary>
/// Kernel plumbing for tests against a private <see cref="OvsSwitch"/>: a uniquely named "switch" namespace for
/// ovs-vswitchd (so its TAP devices — <c>ovs-netdev</c>, one per bridge — stay out of the host's namespace) and host
/// namespaces whose eth0 is a veth to a port end in the switch namespace. Everything is removed on dispose (deleting
/// a namespace deletes the veths in it), also when building failed half-way.
/// </summary>
public sealed class OvsLab : IAsyncDisposable
{
    private readonly List<string> _namespaces = new();

    private OvsLab(string id)
    {
        Id = id;
        SwitchNamespace = $"fovs-{id}-sw";
        Subnet = $"10.{Random.Shared.Next(100, 200)}.{Random.Shared.Next(1, 250)}";
    }

    /// <summary>A random 6-hex-digit id in every name the lab creates.</summary>
    public string Id { get; }

    /// <summary>The namespace ovs-vswitchd should run in (pass it as <c>netns</c> to <see cref="OvsSwitch.StartAsync"/>).</summary>
    public string SwitchNamespace { get; }

    /// <summary>The hosts' /24, as "10.x.y".</summary>
    public string Subnet { get; }

    /// <summary>The hosts added so far; <see cref="LabHost.PortName"/> is the veth end in the switch namespace.</summary>
    public List<LabHost> Hosts { get; } = new();

    /// <summary>A bridge name unique to this lab (≤ 15 characters: it is also a TAP device with the netdev datapath).</summary>
    public string BridgeName(int n = 0) => $"ob{n}-{Id}";

    /// <summary>Creates the switch namespace.</summary>
    public static OvsLab Create()
    {
        var lab = new OvsLab(Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6]);
        try
        {
            lab.AddNamespace(lab.SwitchNamespace);
            return lab;
        }
        catch
        {
            lab.Delete();
            throw;
        }
    }

    /// <summary>
    /// Adds host <c>n</c>: namespace <c>fovs-ID-hN</c> with eth0 (MAC 02:…:N, address SUBNET.N/24) whose peer
    /// <c>ovN-ID</c> is up in the switch namespace, ready to be added to an OVS bridge.
    /// </summary>
    public LabHost AddHost(int n)
    {
        var ns = $"fovs-{Id}-h{n}";
        var port = $"ov{n}-{Id}";
        var host = new LabHost(ns, port, $"{Subnet}.{n}", $"02:{Convert.ToInt32(Id[..2], 16):x2}:{Convert.ToInt32(Id[2..4], 16):x2}:{Convert.ToInt32(Id[4..6], 16):x2}:00:{n:x2}", Tap: false, Tag: null);
        AddNamespace(ns);
        Shell.Must("ip", "-n", SwitchNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Shell.Must("ip", "-n", SwitchNamespace, "link", "set", port, "up");
        // OVS's userspace datapath (without userspace TSO) reads only complete frames, so its ports keep offloads off.
        SwitchLab.OffloadsOff(SwitchNamespace, port);
        Shell.Must("ip", "-n", ns, "link", "set", "eth0", "address", host.Mac);
        Shell.Must("ip", "-n", ns, "addr", "add", host.Ip + "/24", "dev", "eth0");
        Shell.Must("ip", "-n", ns, "link", "set", "eth0", "up");
        SwitchLab.OffloadsOff(ns, "eth0");
        Hosts.Add(host);
        return host;
    }

    private void AddNamespace(string ns)
    {
        Shell.Must("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        // No IPv6 chatter (router solicitations, MLD, DAD) that would teach the switch MACs behind the test's back.
        Shell.InNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
    }

    private void Delete()
    {
        foreach (var ns in _namespaces)
        {
            Shell.Run("ip", "netns", "del", ns);
        }

        _namespaces.Clear();
    }

    /// <summary>Deletes the namespaces (and with them the veths). Dispose the <see cref="OvsSwitch"/> running in the switch namespace first.</summary>
    public ValueTask DisposeAsync()
    {
        Delete();
        return ValueTask.CompletedTask;
    }
}
