using System.Globalization;
using Fabric.Host.Node;
using Fabric.Integration.Tests.Lab;
using Fabric.Integration.Tests.Ovs;

namespace Fabric.Integration.Tests.Bonds;

/// <summary>
/// A Fabric bond facing an Open vSwitch bond over two veth pairs, with a host namespace behind each switch:
/// <code>
///   host h1 ── fh1 [Fabric br0: bond0 = fa, fb] fa ══ oa, fb ══ ob [OVS (netdev, own namespace): bond0 = oa, ob] ── host h2
/// </code>
/// The Fabric node runs in-process in the test's namespace with its control socket; OVS runs privately
/// (<see cref="OvsSwitch"/>) in the lab's switch namespace. Every name carries the lab's id; dispose removes all.
/// </summary>
public sealed class BondLab : IAsyncDisposable
{
    private readonly OvsLab _ovsLab;
    private readonly string _dir;
    private readonly List<string> _links = new();
    private InProcessFabric? _fabric;

    private BondLab(OvsLab ovsLab)
    {
        _ovsLab = ovsLab;
        _dir = Directory.CreateTempSubdirectory("fabric-bond-").FullName;
        Socket = Path.Combine(_dir, "fabric.ctl");
        var id = ovsLab.Id;
        MemberA = "fa-" + id;
        MemberB = "fb-" + id;
        PeerA = "oa-" + id;
        PeerB = "ob-" + id;
        OvsBridge = ovsLab.BridgeName();
    }

    /// <summary>Fabric's control socket.</summary>
    public string Socket { get; }

    /// <summary>The running Fabric node.</summary>
    public FabricNode Node => _fabric!.Node;

    /// <summary>The private Open vSwitch.</summary>
    public OvsSwitch Ovs { get; private set; } = null!;

    /// <summary>The host behind Fabric (SUBNET.1).</summary>
    public LabHost FabricHost { get; private set; } = null!;

    /// <summary>The host behind OVS (SUBNET.2).</summary>
    public LabHost OvsHost { get; private set; } = null!;

    /// <summary>Fabric's bond members (veth ends in the test's namespace).</summary>
    public string MemberA { get; }

    /// <summary>The second Fabric member.</summary>
    public string MemberB { get; }

    /// <summary>OVS's bond members (the peers of <see cref="MemberA"/> and <see cref="MemberB"/>, in the switch namespace).</summary>
    public string PeerA { get; }

    /// <summary>The peer of <see cref="MemberB"/>.</summary>
    public string PeerB { get; }

    /// <summary>The OVS bridge.</summary>
    public string OvsBridge { get; }

    /// <summary>The switch namespace OVS runs in.</summary>
    public string OvsNamespace => _ovsLab.SwitchNamespace;

    /// <summary>
    /// Builds the lab: <paramref name="fabricBond"/> are the HOCON settings of Fabric's bond (after interfaces),
    /// <paramref name="ovsBond"/> the <c>ovs-vsctl add-bond</c> settings of OVS's.
    /// </summary>
    /// <param name="fabricBond">Fabric's bond settings.</param>
    /// <param name="ovsBond">OVS's bond settings.</param>
    /// <param name="extraFabric">HOCON lines added inside <c>fabric { }</c>.</param>
    public static async Task<BondLab> StartAsync(string fabricBond, string[] ovsBond, string extraFabric = "")
    {
        var lab = new BondLab(OvsLab.Create());
        try
        {
            await lab.BuildAsync(fabricBond, ovsBond, extraFabric);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync(string fabricBond, string[] ovsBond, string extraFabric)
    {
        var id = _ovsLab.Id;
        OvsHost = _ovsLab.AddHost(2);

        // The host behind Fabric: its own namespace, a veth whose other end Fabric opens with AF_PACKET.
        var ns = $"fovs-{id}-h1";
        var hostPort = "fh-" + id;
        Shell.Must("ip", "netns", "add", ns);
        Shell.InNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
        Shell.Must("ip", "link", "add", hostPort, "type", "veth", "peer", "name", "eth0", "netns", ns);
        _links.Add(hostPort);
        FabricHost = new LabHost(ns, hostPort, _ovsLab.Subnet + ".1", $"02:{Convert.ToInt32(id[..2], 16):x2}:{Convert.ToInt32(id[2..4], 16):x2}:{Convert.ToInt32(id[4..6], 16):x2}:00:01", Tap: false, Tag: null);
        Shell.Must("ip", "-n", ns, "link", "set", "eth0", "address", FabricHost.Mac);
        Shell.Must("ip", "-n", ns, "addr", "add", FabricHost.Ip + "/24", "dev", "eth0");
        Shell.Must("ip", "-n", ns, "link", "set", "eth0", "up");
        Shell.Must("ip", "link", "set", hostPort, "up");
        _namespacesToDelete.Add(ns);

        // The two links between the switches.
        foreach (var (mine, peer) in new[] { (MemberA, PeerA), (MemberB, PeerB) })
        {
            Shell.Must("ip", "link", "add", mine, "type", "veth", "peer", "name", peer, "netns", _ovsLab.SwitchNamespace);
            _links.Add(mine);
            Shell.Must("ip", "link", "set", mine, "up");
            Shell.Must("ip", "-n", _ovsLab.SwitchNamespace, "link", "set", peer, "up");
            // OVS's userspace datapath (without userspace TSO) reads only complete frames: the links to it carry no
            // super-frames or partial checksums, so the kernel segments and checksums whatever Fabric sends on them.
            SwitchLab.OffloadsOff(null, mine);
            SwitchLab.OffloadsOff(_ovsLab.SwitchNamespace, peer);
        }

        Ovs = await OvsSwitch.StartAsync(netns: _ovsLab.SwitchNamespace);
        await Ovs.VsctlAsync("add-br", OvsBridge, "--", "set", "bridge", OvsBridge, "datapath_type=netdev", "other_config:hwaddr=aa:77:aa:77:00:00");
        await Ovs.VsctlAsync("add-port", OvsBridge, OvsHost.PortName);
        await Ovs.VsctlAsync(["add-bond", OvsBridge, "bond0", PeerA, PeerB, .. ovsBond]);

        var config = $$"""
            fabric {
              node-name = bond-{{id}}
              state-dir = "{{Path.Combine(_dir, "state")}}"
              control.socket = "{{Socket}}"
              bridges = [ { name = br0, ports = [
                { name = {{hostPort}} }
                { name = bond0, type = bond, interfaces = [{{MemberA}}, {{MemberB}}], {{fabricBond}} }
              ] } ]
              {{extraFabric}}
            }
            """;
        File.WriteAllText(Path.Combine(_dir, "fabric.conf"), config);
        _fabric = await InProcessFabric.StartAsync(config, "bond-lab.conf");
    }

    private readonly List<string> _namespacesToDelete = new();

    /// <summary>Sends a control command to Fabric over its real socket; throws when it fails.</summary>
    public Task<string> Ctl(string command, params string[] args) => _fabric!.Ctl(command, args);

    /// <summary>Frames the kernel counted as sent by <paramref name="device"/> in the test's namespace (what Fabric transmitted on it).</summary>
    public static long TxPackets(string device) =>
        long.Parse(File.ReadAllText($"/sys/class/net/{device}/statistics/tx_packets").Trim(), CultureInfo.InvariantCulture);

    /// <summary>Frames the kernel counted as received by <paramref name="device"/> in the test's namespace (what OVS sent to Fabric on it).</summary>
    public static long RxPackets(string device) =>
        long.Parse(File.ReadAllText($"/sys/class/net/{device}/statistics/rx_packets").Trim(), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_fabric is not null)
        {
            await _fabric.DisposeAsync();
        }

        if (Ovs is not null)
        {
            await Ovs.DisposeAsync();
        }

        LabTeardown.Remove(_namespacesToDelete, _links, dir: null);
        await _ovsLab.DisposeAsync();
        LabTeardown.Remove([], [], _dir);
    }
}
