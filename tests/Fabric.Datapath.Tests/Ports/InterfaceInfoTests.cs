using Fabric.Datapath.Ports;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>Interface queries against the kernel: loopback and a fresh veth pair.</summary>
public sealed class InterfaceInfoTests
{
    [Fact]
    public void Loopback_has_index_1_zero_mac_and_65536_mtu()
    {
        Assert.Equal(int.Parse(File.ReadAllText("/sys/class/net/lo/ifindex").Trim()), InterfaceInfo.GetIfIndex("lo"));
        Assert.Equal(0UL, InterfaceInfo.GetMac("lo"));
        Assert.Equal(int.Parse(File.ReadAllText("/sys/class/net/lo/mtu").Trim()), InterfaceInfo.GetMtu("lo"));
    }

    [Fact]
    public void Veth_mac_mtu_and_carrier_match_sysfs()
    {
        using NetNs ns = NetNs.Create();
        (string host, string peer) = ns.AddVeth();
        NetNs.Run("ip", "link", "set", host, "mtu", "1400");

        Assert.Equal(Frames.ParseMac(File.ReadAllText($"/sys/class/net/{host}/address")), InterfaceInfo.GetMac(host));
        Assert.Equal(1400, InterfaceInfo.GetMtu(host));
        Assert.Equal(int.Parse(File.ReadAllText($"/sys/class/net/{host}/ifindex").Trim()), InterfaceInfo.GetIfIndex(host));
        PortProbe.WaitUntil(() => InterfaceInfo.ReadCarrier(host) == true, "veth carrier up");

        NetNs.Run("ip", "link", "set", host, "down");
        Assert.False(InterfaceInfo.ReadCarrier(host));
        Assert.Null(InterfaceInfo.ReadCarrier(peer));
    }

    [Fact]
    public void Missing_interface_errors_name_it()
    {
        string name = "fabt-nx" + NetNs.RandomHex(6);
        PortException e = Assert.Throws<PortException>(() => InterfaceInfo.GetIfIndex(name));
        Assert.Equal($"cannot get ifindex of '{name}': No such device", e.Message);
        Assert.Throws<PortException>(() => InterfaceInfo.GetMac(name));
        Assert.Throws<PortException>(() => InterfaceInfo.GetMtu(name));
        Assert.Null(InterfaceInfo.ReadCarrier(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("..")]
    public void Invalid_names_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => InterfaceInfo.ValidateName(name));
        Assert.Throws<ArgumentException>(() => InterfaceInfo.ReadCarrier(name));
    }

    [Fact]
    public void Fifteen_character_name_is_valid()
    {
        InterfaceInfo.ValidateName("abcdefghijklmno");
    }
}
