using Fabric.Actors.Bonds;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Datapath.Bonds;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Xunit;

namespace Fabric.Host.Tests.Configuration;

/// <summary>Bond ports in fabric.conf: OVS's keys and defaults (ovs-facts §1.1), and errors with their position.</summary>
public sealed class BondSettingsTests
{
    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    private static string Error(string hocon) => Assert.Throws<ConfigException>(() => Load(hocon)).Message;

    private static PortSettings OnlyPort(string port) => Load($"fabric.bridges = [ {{ name = br0, ports = [ {port} ] }} ]").Bridges[0].Ports[0];

    [Fact]
    public void A_bond_without_settings_gets_ovs_defaults()
    {
        var p = OnlyPort("{ name = bond0, type = bond, interfaces = [eth1, eth2] }");
        var b = p.Bond!;
        Assert.Equal(["eth1", "eth2"], p.Interfaces);
        Assert.Equal(BondMode.ActiveBackup, b.Mode);
        Assert.Equal(LacpMode.Off, b.Lacp);
        Assert.Equal(LacpTime.Slow, b.LacpTime);
        Assert.False(b.LacpFallbackAb);
        Assert.Equal(TimeSpan.Zero, b.UpDelay);
        Assert.Equal(TimeSpan.Zero, b.DownDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), b.EffectiveRebalanceInterval);
        Assert.Equal(BondDetectMode.Carrier, b.DetectMode);
        Assert.Equal(TimeSpan.FromMilliseconds(200), b.MiimonInterval);
        Assert.Equal(0u, b.HashBasis);
        Assert.Null(b.Primary);
    }

    [Fact]
    public void Every_bond_key_is_read()
    {
        var b = OnlyPort("""
            { name = bond0, type = bond, interfaces = [eth1, eth2], bond-mode = balance-slb, lacp = active, lacp-time = fast,
              lacp-fallback-ab = true, bond-updelay = 200ms, bond-downdelay = 0, bond-primary = eth1, bond-rebalance-interval = 500ms,
              bond-detect-mode = miimon, bond-miimon-interval = 100ms, bond-hash-basis = 7, all-members-active = true,
              lacp-system-id = "aa:66:aa:66:00:00", lacp-system-priority = 100, tag = 10 }
            """).Bond!;
        Assert.Equal(BondMode.BalanceSlb, b.Mode);
        Assert.Equal(LacpMode.Active, b.Lacp);
        Assert.Equal(LacpTime.Fast, b.LacpTime);
        Assert.True(b.LacpFallbackAb);
        Assert.Equal(TimeSpan.FromMilliseconds(200), b.UpDelay);
        Assert.Equal("eth1", b.Primary);
        Assert.Equal(TimeSpan.FromSeconds(1), b.EffectiveRebalanceInterval);
        Assert.Equal(BondDetectMode.Miimon, b.DetectMode);
        Assert.Equal(TimeSpan.FromMilliseconds(100), b.LinkPollInterval);
        Assert.Equal(7u, b.HashBasis);
        Assert.True(b.AllMembersActive);
        Assert.Equal(0xaa66_aa66_0000UL, b.LacpSystemId);
        Assert.Equal(100, b.LacpSystemPriority);
    }

    [Fact]
    public void A_rebalance_interval_of_zero_disables_rebalancing()
    {
        Assert.Equal(TimeSpan.Zero, OnlyPort("{ name = b, interfaces = [e1, e2], bond-mode = balance-slb, bond-rebalance-interval = 0 }").Bond!.EffectiveRebalanceInterval);
    }

    [Fact]
    public void A_bond_left_with_one_interface_is_an_ordinary_port()
    {
        var p = OnlyPort("{ name = bond0, type = bond, interfaces = [eth1], bond-mode = balance-slb, tag = 5 }");
        Assert.Null(p.Bond);
        Assert.Equal("eth1", p.Name);
        Assert.Equal("system", p.Type);
        Assert.Equal(5, p.Tag);
    }

    [Theory]
    [InlineData("{ name = b, interfaces = [e1, e2], bond-mode = balance-foo }", "fabric.conf:1:91: fabric.bridges[0].ports[0].bond-mode: 'balance-foo' is not one of: active-backup, balance-slb, balance-tcp")]
    [InlineData("{ name = b, interfaces = [e1, e2], lacp = on }", "fabric.conf:1:86: fabric.bridges[0].ports[0].lacp: 'on' is not one of: off, active, passive")]
    [InlineData("{ name = b, interfaces = [e1, e1] }", "fabric.conf:1:69: fabric.bridges[0].ports[0].interfaces: interface 'e1' is listed twice")]
    [InlineData("{ name = b, interfaces = [e1, e2], bond-primary = e3 }", "fabric.conf:1:94: fabric.bridges[0].ports[0].bond-primary: 'e3' is not one of the bond's interfaces (e1, e2)")]
    [InlineData("{ name = e1, bond-mode = balance-slb }", "fabric.conf:1:69: fabric.bridges[0].ports[0].bond-mode: 'bond-mode' applies to bonds only (type = bond with interfaces)")]
    [InlineData("{ name = b, type = bond }", "fabric.conf:1:63: fabric.bridges[0].ports[0].type: a bond needs interfaces = [a, b, ...]")]
    [InlineData("{ name = b, interfaces = [e1, e2], lacp-system-id = \"00:00:00:00:00:00\" }", "fabric.conf:1:96: fabric.bridges[0].ports[0].lacp-system-id: '00:00:00:00:00:00' is not a non-zero MAC address like aa:bb:cc:dd:ee:ff")]
    public void Bad_bond_settings_are_refused_at_their_position(string port, string expected)
    {
        Assert.Equal(expected, Error($"fabric.bridges = [ {{ name = br0, ports = [ {port} ] }} ]"));
    }

    [Fact]
    public void A_bond_interface_cannot_also_be_a_port()
    {
        Assert.Equal(
            "fabric.conf:1:90: fabric.bridges[0].ports[1].name: interface 'e1' is already used by fabric.bridges[0].ports[0]",
            Error("fabric.bridges = [ { name = br0, ports = [ { name = b, interfaces = [e1, e2] }, { name = e1 } ] } ]"));
    }
}
