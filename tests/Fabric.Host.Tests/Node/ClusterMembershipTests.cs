using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit;
using Fabric.Actors.Bridge;
using Fabric.Actors.Cluster;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Fabric.Host.Node.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fabric.Host.Tests.Node;

/// <summary>
/// Two cluster actor systems on 127.0.0.1 form a real Akka.Cluster (remoting over TCP): each node's membership actor
/// tells its tunnel manager views with both members Up and their VTEP roles, a MAC learned on one node's local port
/// reaches the other node's bridge through Akka.DistributedData, and a node that leaves disappears from the other's view.
/// </summary>
public sealed class ClusterMembershipTests : Akka.TestKit.Xunit2.TestKit
{
    private const ulong Mac = 0x0200_0000_00b2;

    public ClusterMembershipTests()
        : base("akka.loglevel = WARNING", "cluster-membership-tests")
    {
    }

    [Fact]
    public async Task Two_nodes_join_share_a_mac_binding_and_see_each_other_leave()
    {
        var (portA, portB) = (FreePort(), FreePort());
        var seeds = $"[\"127.0.0.1:{portA}\", \"127.0.0.1:{portB}\"]";
        var tunnelsA = CreateTestProbe();
        var tunnelsB = CreateTestProbe();
        var bridgeA = Bridge(new BridgeProtocol.Fdb("br0", [Port("p1", 1, null)], [], 0));
        var bridgeB = Bridge(new BridgeProtocol.Fdb("br0", [Port("p1", 1, null), Port("vx100-hv1", 2, "hv1")], [new MacEntry(0, Mac, 1, 0), new MacEntry(0, 0x0200_0000_00a1, 2, 0)], 0));
        await using var a = Start("hv1", portA, seeds, "10.9.0.1", tunnelsA.Ref, bridgeA.Ref);
        await using var b = Start("hv2", portB, seeds, "10.9.0.2", tunnelsB.Ref, bridgeB.Ref);

        var view = await tunnelsA.FishForMessageAsync<ClusterView>(v => v.Members.Count(m => m.Status == "Up") == 2, TimeSpan.FromSeconds(60));
        Assert.True(view.SelfUp);
        var peer = Assert.Single(view.Members, m => m.Node == "hv2");
        Assert.Equal(IPAddress.Parse("10.9.0.2"), peer.Vtep);
        Assert.True(peer.Reachable);
        Assert.Equal($"akka.tcp://fabric@127.0.0.1:{portB}", peer.Address);

        // hv2 publishes the MAC of its local port, not the one learned on its tunnel; hv1's bridge gets it.
        var remote = await bridgeA.FishForMessageAsync<BridgeProtocol.RemoteMacs>(m => m.Macs.Count > 0, TimeSpan.FromSeconds(30));
        Assert.Equal([new RemoteMac(0, Mac, "hv2")], remote.Macs);

        // Node to node over remoting, serialized by Hyperion with Fabric's allow-list.
        await AwaitAssertAsync(
            async () => Assert.Equal(new ClusterProtocol.PeerStatus("hv2", 1, 2, 0, 0), await a.PeerStatusAsync(peer.Address, TimeSpan.FromSeconds(5))),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(200));

        await b.LeaveAsync(TimeSpan.FromSeconds(30));
        await tunnelsA.FishForMessageAsync<ClusterView>(v => v.Members.Count == 1 && v.SelfUp, TimeSpan.FromSeconds(30));
    }

    private static BridgePort Port(string name, int of, string? remote) =>
        new() { Name = name, OfPort = of, DpPort = (ushort)of, Type = remote is null ? "dummy" : "vxlan", RemoteNode = remote };

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static ClusterMembership Start(string node, int port, string seeds, string vtep, IActorRef tunnels, IActorRef bridge)
    {
        var settings = NodeSettingsLoader.FromConfig(ConfigReader.ParseString(
            $"fabric.node-name = {node}\nfabric.cluster {{ seed-nodes = {seeds}, hostname = \"127.0.0.1\", port = {port}, vtep = \"{vtep}\" }}",
            "test.conf"));
        return ClusterMembership.Start(settings, settings.Cluster!, tunnels, new TunnelDirectory(), [new TunnelBridge("br0", 100, bridge)], NullLoggerFactory.Instance, LogLevel.Warning);
    }

    /// <summary>A probe standing for a bridge: it answers every GetFdb with <paramref name="fdb"/> and records what it gets.</summary>
    private TestProbe Bridge(BridgeProtocol.Fdb fdb)
    {
        var probe = CreateTestProbe();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is BridgeProtocol.GetFdb)
            {
                sender.Tell(fdb);
            }

            return AutoPilot.KeepRunning;
        }));
        return probe;
    }
}
