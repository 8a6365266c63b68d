using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Fabric.Host.Node;
using Fabric.Integration.Tests.Lab;

namespace Fabric.Integration.Tests.Bonds;

/// <summary>
/// A Fabric bridge with two hosts (namespaces h1, h2 on veth ports) and a bond of two veths whose peers stay in the
/// test's namespace, where the test opens them with AF_PACKET to play the switch on the far side of the bond:
/// it injects frames on either member and captures what Fabric sends there.
/// <code>
///   h1 ── [Fabric br0] ── h2
///            bond0 = ma, mb   (peers pa, pb: the test)
/// </code>
/// One flow-table shard, so upcalls are handled (and their packets sent) in the order the frames arrived.
/// </summary>
public sealed class BondInputLab : IAsyncDisposable
{
    private readonly string _dir;
    private readonly List<string> _namespaces = new();
    private readonly List<string> _links = new();
    private readonly List<IDatapathPort> _peers = new();
    private InProcessFabric? _fabric;

    private BondInputLab(string id)
    {
        Id = id;
        _dir = Directory.CreateTempSubdirectory("fabric-bondin-").FullName;
        Socket = Path.Combine(_dir, "fabric.ctl");
        MemberA = "ma-" + id;
        MemberB = "mb-" + id;
    }

    /// <summary>The id in every name.</summary>
    public string Id { get; }

    /// <summary>Fabric's control socket.</summary>
    public string Socket { get; }

    /// <summary>The node.</summary>
    public FabricNode Node => _fabric!.Node;

    /// <summary>The hosts h1 (SUBNET.1) and h2 (SUBNET.2).</summary>
    public List<LabHost> Hosts { get; } = new();

    /// <summary>The bond's members.</summary>
    public string MemberA { get; }

    /// <summary>The second member.</summary>
    public string MemberB { get; }

    /// <summary>Builds the lab with a bond of <paramref name="bondSettings"/> (HOCON, after interfaces).</summary>
    public static async Task<BondInputLab> StartAsync(string bondSettings)
    {
        var lab = new BondInputLab(Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6]);
        try
        {
            await lab.BuildAsync(bondSettings);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync(string bondSettings)
    {
        var subnet = $"10.{Random.Shared.Next(100, 200)}.{Random.Shared.Next(1, 250)}";
        for (var n = 1; n <= 2; n++)
        {
            var ns = $"fbin-{Id}-h{n}";
            var port = $"fi{n}-{Id}";
            var host = new LabHost(ns, port, $"{subnet}.{n}", $"02:{Convert.ToInt32(Id[..2], 16):x2}:{Convert.ToInt32(Id[2..4], 16):x2}:{Convert.ToInt32(Id[4..6], 16):x2}:01:{n:x2}", Tap: false, Tag: null);
            Shell.Must("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            Shell.InNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            Shell.Must("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
            _links.Add(port);
            Shell.Must("ip", "link", "set", port, "up");
            Shell.Must("ip", "-n", ns, "link", "set", "eth0", "address", host.Mac);
            Shell.Must("ip", "-n", ns, "addr", "add", host.Ip + "/24", "dev", "eth0");
            Shell.Must("ip", "-n", ns, "link", "set", "eth0", "up");
            Shell.Must("ip", "-n", ns, "link", "set", "lo", "up");
            Hosts.Add(host);
        }

        foreach (var member in new[] { MemberA, MemberB })
        {
            var peer = "p" + member;
            Shell.Must("ip", "link", "add", member, "type", "veth", "peer", "name", peer);
            _links.Add(member);
            Shell.Must("ip", "link", "set", member, "up");
            Shell.Must("ip", "link", "set", peer, "up");
            _peers.Add(AfPacketPort.Open(peer));
        }

        var config = $$"""
            fabric {
              node-name = bondin-{{Id}}
              state-dir = "{{Path.Combine(_dir, "state")}}"
              control.socket = "{{Socket}}"
              upcall.shards-per-bridge = 1
              bridges = [ { name = br0, ports = [
                { name = {{Hosts[0].PortName}} }
                { name = {{Hosts[1].PortName}} }
                { name = bond0, type = bond, interfaces = [{{MemberA}}, {{MemberB}}], {{bondSettings}} }
              ] } ]
            }
            """;
        _fabric = await InProcessFabric.StartAsync(config, "bond-input-lab.conf");
    }

    /// <summary>Sends a control command to Fabric; throws when it fails.</summary>
    public Task<string> Ctl(string command, params string[] args) => _fabric!.Ctl(command, args);

    /// <summary>Sends <paramref name="frames"/>, in order, into Fabric on bond member <paramref name="member"/> (from its peer).</summary>
    public void Inject(string member, params byte[][] frames)
    {
        var peer = _peers[member == MemberA ? 0 : 1];
        using var batch = new PacketBatch(frames.Length);
        foreach (var f in frames)
        {
            batch.TryAppend(f);
        }

        if (peer.Send(batch) != frames.Length)
        {
            throw new InvalidOperationException($"could not send {frames.Length} frames on the peer of {member}");
        }
    }

    /// <summary>The active member's name, from <c>bond/show</c>.</summary>
    public async Task<string?> ActiveMemberAsync()
    {
        var show = await Ctl("bond/show", "bond0");
        var line = show.Split('\n').FirstOrDefault(l => l.StartsWith("active member mac:", StringComparison.Ordinal)) ?? "";
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var name = open >= 0 ? line[(open + 1)..].TrimEnd(')') : null;
        return name is null || name == "none" ? null : name;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_fabric is not null)
        {
            await _fabric.DisposeAsync();
        }

        foreach (var p in _peers)
        {
            p.Dispose();
        }

        LabTeardown.Remove(_namespaces, _links, _dir);
    }
}
