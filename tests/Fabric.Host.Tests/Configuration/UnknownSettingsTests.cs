using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;

namespace Fabric.Host.Tests.Configuration;

/// <summary>A key Fabric does not know is refused at its position, with the closest known key when one is close.</summary>
public sealed class UnknownSettingsTests
{
    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    [Theory]
    [InlineData("fabric.datapath.emc-entrys = 100", "fabric.conf:1:30: fabric.datapath.emc-entrys: unknown setting (did you mean 'emc-entries'?)")]
    [InlineData("fabric.nodename = n1", "fabric.conf:1:19: fabric.nodename: unknown setting (did you mean 'node-name'?)")]
    [InlineData("fabric {\n  upcall {\n    flow-limti = 5\n  }\n}", "fabric.conf:3:18: fabric.upcall.flow-limti: unknown setting (did you mean 'flow-limit'?)")]
    [InlineData("fabric.control { socket = \"/x\", sockets = \"/y\" }", "fabric.conf:1:43: fabric.control.sockets: unknown setting (did you mean 'socket'?)")]
    [InlineData("fabric.persistence.table-prefix = \"\"", "fabric.conf:1:35: fabric.persistence.table-prefix: unknown setting")]
    [InlineData("fabric.persistence.sqlite.paht = \"/x.db\"", "fabric.conf:1:34: fabric.persistence.sqlite.paht: unknown setting (did you mean 'path'?)")]
    [InlineData("fabric.cluster { seeds = [] }", "fabric.conf:1:26: fabric.cluster.seeds: unknown setting")]
    [InlineData("fabric.\"odd key\" = 1", "fabric.conf:1:20: fabric.\"odd key\": unknown setting")]
    [InlineData("fabric.bridges = [ { name = br0, mac-table-sise = 10 } ]", "fabric.conf:1:51: fabric.bridges[0].mac-table-sise: unknown setting (did you mean 'mac-table-size'?)")]
    [InlineData("fabric.bridges = [ { name = br0 }, { name = br1, port = [] } ]", "fabric.conf:1:57: fabric.bridges[1].port: unknown setting (did you mean 'ports'?)")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [\n  { name = v1 }\n  { name = v2, tgg = 5 }\n] } ]", "fabric.conf:3:22: fabric.bridges[0].ports[1].tgg: unknown setting (did you mean 'tag'?)")]
    [InlineData("fabric.bridges = [ { name = br0, ports = [ { name = v1, \"a.b\" = 1 } ] } ]", "fabric.conf:1:65: fabric.bridges[0].ports[0].\"a.b\": unknown setting")]
    public void An_unknown_key_is_one_positioned_line(string hocon, string expected)
    {
        Assert.Equal(expected, Assert.Throws<ConfigException>(() => Load(hocon)).Message);
    }

    [Fact]
    public void Every_documented_key_is_accepted()
    {
        var s = Load("""
            fabric {
              node-name = n1, state-dir = "/srv/f", control.socket = "/run/f.ctl"
              datapath { poll-threads = 1, batch-size = 32, poll-timeout = 10ms, emc-entries = 8192, emc-insert-inv-prob = 100, upcall-queue-size = 4096 }
              upcall { flow-limit = 1000, max-idle = 10s, max-revalidator = 500ms, shards-per-bridge = 2 }
              persistence { plugin = sqlite, sqlite.path = "/srv/f/x.db", postgresql.connection-string = "Host=db", snapshot-every = 5 }
              debug.fault-injection = on
              bridge-defaults { mac-table-size = 100, mac-aging-time = 60s }
              bridges = [ { name = br0, mac-table-size = 10, mac-aging-time = 20s, ports = [
                { name = v1, type = system, ofport = 3, tag = 10, trunks = [], vlan-mode = access }
              ] } ]
            }
            """);

        Assert.Equal(["v1"], Assert.Single(s.Bridges).Ports.Select(p => p.Name));
    }

    [Fact]
    public void Keys_under_akka_and_outside_fabric_are_not_checked()
    {
        var s = Load("akka.anything.at-all = 1\nakka.actor.provider = cluster\nmy-defaults.timeout = 5s");

        Assert.Equal("cluster", s.AkkaConfig.GetString("akka.actor.provider"));
    }

    [Theory]
    [InlineData("tgg", "tag")]
    [InlineData("tga", "tag")]
    [InlineData("Tag", "tag")]
    [InlineData("vlan_mode", "vlan-mode")]
    [InlineData("trunk", "trunks")]
    [InlineData("ofprot", "ofport")]
    [InlineData("x", null)]
    [InlineData("tx", null)]
    [InlineData("speed", null)]
    public void The_closest_key_is_suggested_only_when_it_is_close(string key, string? suggestion)
    {
        Assert.Equal(suggestion, UnknownSettings.Closest(key, NodeSettingsLoader.PortKeys));
    }
}
