using System.Net;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

/// <summary>
/// Static VXLAN ports in fabric.conf, with Open vSwitch's option names (type=vxlan options:remote_ip, key, local_ip,
/// dst_port) and defaults, and errors with their position.
/// </summary>
public sealed class VxlanSettingsTests
{
    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    private static string Error(string hocon) => Assert.Throws<ConfigException>(() => Load(hocon)).Message;

    private static string PortError(string port) => Error($"fabric.bridges = [ {{ name = br0, ports = [ {port} ] }} ]");

    [Fact]
    public void Every_vxlan_key_is_read()
    {
        PortSettings p = Load("""
            fabric.bridges = [ { name = br0, ports = [
              { name = vx1, type = vxlan, remote_ip = "10.9.0.2", key = 100, local_ip = "10.9.0.1", dst_port = 4790, tag = 10 } ] } ]
            """).Bridges[0].Ports[0];

        Assert.Equal("vxlan", p.Type);
        Assert.Equal(new VxlanPortSettings(IPAddress.Parse("10.9.0.1"), IPAddress.Parse("10.9.0.2"), 100, 4790), p.Vxlan);
        Assert.Equal(10, p.Tag);
        Assert.Empty(p.Interfaces);
        Assert.Null(p.Bond);
    }

    [Fact]
    public void Key_and_dst_port_default_as_in_ovs_and_local_ip_defaults_to_the_node_vtep()
    {
        NodeSettings s = Load("""
            fabric.vtep = "192.168.7.1"
            fabric.bridges = [ { name = br0, ports = [ { name = vx1, type = vxlan, remote_ip = "192.168.7.2" } ] } ]
            """);

        Assert.Equal(IPAddress.Parse("192.168.7.1"), s.Vtep);
        Assert.Equal(new VxlanPortSettings(IPAddress.Parse("192.168.7.1"), IPAddress.Parse("192.168.7.2"), 0, 4789), s.Bridges[0].Ports[0].Vxlan);
    }

    [Fact]
    public void Without_vxlan_ports_there_is_no_vtep_and_other_ports_have_no_tunnel()
    {
        NodeSettings s = Load("fabric.bridges = [ { name = br0, ports = [ { name = eth1 } ] } ]");

        Assert.Null(s.Vtep);
        Assert.Null(s.Bridges[0].Ports[0].Vxlan);
    }

    [Theory]
    [InlineData("{ name = vx1, type = vxlan, local_ip = \"10.9.0.1\" }", "fabric.conf:1:44: fabric.bridges[0].ports[0].remote_ip: a vxlan port needs remote_ip (the remote VTEP's IPv4 address)")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\" }", "fabric.conf:1:44: fabric.bridges[0].ports[0].local_ip: a vxlan port needs local_ip (the local VTEP's IPv4 address), or set fabric.vtep")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0\", local_ip = \"10.9.0.1\" }", "fabric.conf:1:84: fabric.bridges[0].ports[0].remote_ip: '10.9.0' is not a unicast IPv4 address like 10.9.0.1")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"239.1.1.1\", local_ip = \"10.9.0.1\" }", "fabric.conf:1:84: fabric.bridges[0].ports[0].remote_ip: '239.1.1.1' is not a unicast IPv4 address like 10.9.0.1")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\", local_ip = \"10.9.0.256\" }", "fabric.conf:1:107: fabric.bridges[0].ports[0].local_ip: '10.9.0.256' is not a unicast IPv4 address like 10.9.0.1")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.1\", local_ip = \"10.9.0.1\" }", "fabric.conf:1:84: fabric.bridges[0].ports[0].remote_ip: remote_ip 10.9.0.1 is the local VTEP itself")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\", local_ip = \"10.9.0.1\", key = 16777216 }", "fabric.conf:1:125: fabric.bridges[0].ports[0].key: VNI 16777216 is outside 0..16777215 (24 bits, RFC 7348)")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\", local_ip = \"10.9.0.1\", key = flow }", "fabric.conf:1:125: fabric.bridges[0].ports[0].key: key = flow (a VNI set per flow) is not supported; give the VNI, 0..16777215")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\", local_ip = \"10.9.0.1\", dst_port = 0 }", "fabric.conf:1:130: fabric.bridges[0].ports[0].dst_port: 0 is outside 1..65535")]
    [InlineData("{ name = eth1, remote_ip = \"10.9.0.2\" }", "fabric.conf:1:71: fabric.bridges[0].ports[0].remote_ip: 'remote_ip' applies to vxlan ports only (type = vxlan)")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\", local_ip = \"10.9.0.1\", interfaces = [a, b] }", "fabric.conf:1:132: fabric.bridges[0].ports[0].interfaces: 'interfaces' applies to bonds only (type = bond with interfaces)")]
    [InlineData("{ name = vx1, type = vxlan, remote_ip = \"10.9.0.2\", local_ip = \"10.9.0.1\", remote-ip = \"10.9.0.3\" }", "fabric.conf:1:131: fabric.bridges[0].ports[0].remote-ip: unknown setting (did you mean 'remote_ip'?)")]
    [InlineData("{ name = vx1, type = gre }", "fabric.conf:1:65: fabric.bridges[0].ports[0].type: port type 'gre' is not one of: system, tap, bond, vxlan")]
    public void Bad_vxlan_settings_are_refused_at_their_position(string port, string expected)
    {
        Assert.Equal(expected, PortError(port));
    }

    [Fact]
    public void A_bad_node_vtep_is_refused_at_its_position()
    {
        Assert.Equal("fabric.conf:1:15: fabric.vtep: 'fe80::1' is not a unicast IPv4 address like 10.9.0.1", Error("fabric.vtep = \"fe80::1\""));
    }

    [Fact]
    public void The_same_tunnel_twice_is_refused_even_across_bridges()
    {
        Assert.Equal(
            "fabric.conf:3:84: fabric.bridges[1].ports[0].remote_ip: a vxlan port from 10.9.0.1:4789 to 10.9.0.2 with key 7 is already fabric.bridges[0].ports[0]",
            Error("""
                fabric.vtep = "10.9.0.1"
                fabric.bridges = [ { name = br0, ports = [ { name = vx1, type = vxlan, remote_ip = "10.9.0.2", key = 7 } ] },
                                   { name = br1, ports = [ { name = vx2, type = vxlan, remote_ip = "10.9.0.2", key = 7 } ] } ]
                """));
    }
}
