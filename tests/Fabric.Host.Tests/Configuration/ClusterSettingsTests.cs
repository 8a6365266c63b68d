using System.Net;
using Akka.Configuration;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Fabric.Host.Node;
using Microsoft.Extensions.Logging;
using Xunit;
using ConfigException = Fabric.Host.Configuration.Hocon.ConfigException;

namespace Fabric.Host.Tests.Configuration;

/// <summary><c>fabric.cluster</c> and bridge VNIs in fabric.conf, and the Akka configuration of the cluster actor system they give.</summary>
public sealed class ClusterSettingsTests
{
    private const string Clustered = """
        fabric.node-name = hv2
        fabric.cluster { seed-nodes = ["10.77.0.1:4051", "10.77.0.2:4051"], hostname = "10.77.0.2" }
        """;

    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    private static string Error(string hocon) => Assert.Throws<ConfigException>(() => Load(hocon)).Message;

    [Fact]
    public void Without_seed_nodes_a_node_runs_alone()
    {
        Assert.Null(Load("fabric.cluster.hostname = \"10.0.0.1\"").Cluster);
    }

    [Fact]
    public void A_clustered_node_gets_the_defaults_and_its_vtep_is_its_hostname()
    {
        var c = Load(Clustered).Cluster!;
        Assert.Equal(IPAddress.Parse("10.77.0.2"), c.Hostname);
        Assert.Equal(4051, c.Port);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.77.0.1"), 4051), new IPEndPoint(IPAddress.Parse("10.77.0.2"), 4051)], c.SeedNodes);
        Assert.Equal(c.Hostname, c.Vtep);
        Assert.Equal(4789, c.VxlanPort);
        Assert.Equal(TimeSpan.FromMilliseconds(200), c.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), c.StableAfter);
        Assert.Equal("akka.tcp://fabric@10.77.0.2:4051", c.SelfAddress);
    }

    [Theory]
    [InlineData("fabric.cluster { seed-nodes = [\"10.0.0.1:4051\"] }", "fabric.conf:1:31: fabric.cluster.hostname: a clustered node needs")]
    [InlineData("fabric.cluster { seed-nodes = [\"10.0.0.1:4051\"], hostname = localhost }", "fabric.conf:1:61: fabric.cluster.hostname: 'localhost' is not an IPv4 address")]
    [InlineData("fabric.cluster { seed-nodes = [\"10.0.0.1\"], hostname = \"10.0.0.1\" }", "fabric.cluster.seed-nodes: seed node '10.0.0.1' is not IPv4-ADDRESS:PORT")]
    [InlineData("fabric.cluster { seed-nodes = [\"10.0.0.1:1\"], hostname = \"10.0.0.1\", vtep = x }", "fabric.cluster.vtep: 'x' is not an IPv4 address")]
    [InlineData("fabric.cluster { seed-nodes = [\"10.0.0.1:1\"], hostname = \"10.0.0.1\", port = 70000 }", "fabric.cluster.port: 70000 is outside 1..65535")]
    public void Bad_cluster_settings_are_refused_with_their_position(string hocon, string expected)
    {
        Assert.Contains(expected, Error(hocon), StringComparison.Ordinal);
    }

    [Fact]
    public void Clustered_nodes_journal_under_their_own_persistence_ids()
    {
        Assert.Equal("datapath-hv2", FabricNode.PersistenceIdFor(Load(Clustered)));
        Assert.Equal("datapath", FabricNode.PersistenceIdFor(Load("fabric.node-name = hv2")));
    }

    [Fact]
    public void A_bridge_vni_is_read_checked_and_unique()
    {
        Assert.Equal(100, Load("fabric.bridges = [ { name = br0, vni = 100, ports = [] } ]").Bridges[0].Vni);
        Assert.Equal(0, Load("fabric.bridges = [ { name = br0, ports = [] } ]").Bridges[0].Vni);
        Assert.Contains("fabric.bridges[0].vni: 16777216 is outside 0..16777215", Error("fabric.bridges = [ { name = br0, vni = 16777216, ports = [] } ]"), StringComparison.Ordinal);
        Assert.Contains(
            "fabric.bridges[1].vni: vni 5 is already bridge br0's",
            Error("fabric.bridges = [ { name = br0, vni = 5, ports = [] }, { name = br1, vni = 5, ports = [] } ]"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_cluster_actor_system_gets_the_cluster_provider_seeds_roles_and_the_two_second_failure_detector()
    {
        var settings = Load(Clustered);
        Config akka = AkkaSettings.ForCluster(settings, settings.Cluster!, LogLevel.Warning);
        Assert.Equal("cluster", akka.GetString("akka.actor.provider"));
        Assert.Equal("10.77.0.2", akka.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4051, akka.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(["akka.tcp://fabric@10.77.0.1:4051", "akka.tcp://fabric@10.77.0.2:4051"], akka.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(["vtep:10.77.0.2", "node:hv2"], akka.GetStringList("akka.cluster.roles"));
        Assert.Equal("keep-majority", akka.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), akka.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(TimeSpan.FromMilliseconds(800), akka.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromSeconds(2), akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
    }
}
