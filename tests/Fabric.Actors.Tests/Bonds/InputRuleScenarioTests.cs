using Akka.Actor;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Actors.Bridge;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Bonds;
using static Fabric.Actors.Tests.Bonds.BondFrames;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>
/// What a bond accepts from its members (ovs-facts §1.8, OVS bond_check_admissibility), end to end: frames injected
/// on member ports, NORMAL's verdict seen on the host ports.
/// </summary>
public sealed class InputRuleScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001; // behind p1
    private const ulong Remote = 0x0200_0000_00b0; // behind the bond

    [Theory]
    [InlineData(BondMode.ActiveBackup)]
    [InlineData(BondMode.BalanceSlb)]
    public void A_broadcast_arriving_on_a_member_that_is_not_active_is_not_forwarded(BondMode mode)
    {
        using var s = new BondScenario(b => b with { Mode = mode });
        Assert.Equal("m1", s.Status().ActiveMember);

        s.Send(s.Members[1], Udp(Remote, Broadcast));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
        Assert.DoesNotContain(Fdb(s), e => e.Mac == Remote);

        s.Send(s.Members[0], Udp(Remote, Broadcast));
        Assert.Single(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Single(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Contains(Fdb(s), e => e.Mac == Remote && e.OfPort == s.BondOfPort);
    }

    [Fact]
    public void Active_backup_accepts_unicast_only_on_the_active_member_while_slb_accepts_it_on_any()
    {
        using (var ab = new BondScenario())
        {
            ab.Send(ab.Members[1], Udp(Remote, H1));
            Assert.Empty(BondScenario.TakeSent(ab.Hosts[0]));
            ab.Send(ab.Members[0], Udp(Remote, H1));
            Assert.Single(BondScenario.TakeSent(ab.Hosts[0]));
        }

        using var slb = new BondScenario(b => b with { Mode = BondMode.BalanceSlb });
        slb.Send(slb.Members[1], Udp(Remote, H1));
        Assert.Single(BondScenario.TakeSent(slb.Hosts[0]));
        Assert.Single(BondScenario.TakeSent(slb.Hosts[1]));
    }

    [Fact]
    public void With_all_members_active_an_slb_bond_accepts_broadcast_on_every_member()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb, AllMembersActive = true });
        Assert.True(s.Map.AllMembersActive);
        s.Send(s.Members[1], Udp(Remote, Broadcast));
        Assert.Single(BondScenario.TakeSent(s.Hosts[0]));
    }

    [Fact]
    public void Slb_drops_a_frame_from_the_bond_whose_source_is_learned_on_a_host_port_as_looped_back()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb });
        s.Send(s.Hosts[0], Udp(H1, Broadcast));
        s.ClearSent();
        Assert.Contains(Fdb(s), e => e.Mac == H1 && e.OfPort == 1);

        // H1's own broadcast comes back in through the bond (the physical switch flooded it back): dropped.
        s.Send(s.Members[0], Udp(H1, Broadcast));
        s.Send(s.Members[1], Udp(H1, Remote));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Contains(Fdb(s), e => e.Mac == H1 && e.OfPort == 1); // not moved to the bond

        // A plain ARP request (sender IP ≠ target IP) is no exception.
        s.Send(s.Members[0], ArpRequest(H1, Broadcast, 0x0a00_0001, 0x0a00_0002));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Contains(Fdb(s), e => e.Mac == H1 && e.OfPort == 1);
    }

    /// <summary>
    /// A gratuitous ARP may move a MAC entry onto the bond (a host really moved), but not while the entry is locked: a
    /// gratuitous ARP learned on a port that is not a bond locks its entry for 5 s (OVS MAC_GRAT_ARP_LOCK_TIME), so the
    /// copy of it that comes back over the bond is dropped as looped back and moves nothing.
    /// </summary>
    [Fact]
    public void Slb_drops_a_gratuitous_arp_from_the_bond_while_its_entry_is_locked_and_lets_it_move_the_mac_after()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb });
        var gratArp = ArpRequest(H1, Broadcast, 0x0a00_0001, 0x0a00_0001);
        s.Send(s.Hosts[0], gratArp);
        s.ClearSent();
        Assert.Contains(Fdb(s), e => e.Mac == H1 && e.OfPort == 1);

        // Reflected back over the bond within the lock: dropped, the entry stays on p1.
        s.Send(s.Members[0], gratArp);
        Assert.Empty(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Contains(Fdb(s), e => e.Mac == H1 && e.OfPort == 1);

        // The lock runs out after 5 s (released by the bridge's 1 s aging tick): the host may now really have moved.
        s.Run(TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(500));
        s.Send(s.Members[0], gratArp);
        Assert.Single(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Single(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Contains(Fdb(s), e => e.Mac == H1 && e.OfPort == s.BondOfPort);
    }

    [Fact]
    public void Lacp_configured_but_not_negotiated_without_fallback_drops_everything_from_the_bond()
    {
        using var s = new BondScenario(b => b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast });
        s.Run(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(100));
        Assert.Equal(LacpStatus.Configured, s.Status().LacpStatus);
        Assert.Equal(BondInputRule.DropAll, s.Map.InputRule);
        Assert.All(s.Status().Members, m => Assert.False(m.Enabled));

        s.Flush();
        Assert.Contains(BondScenario.TakeSent(s.Members[0]), IsLacp); // the bond keeps asking for a partner
        s.ClearSent();
        foreach (var member in s.Members)
        {
            s.Send(member, Udp(Remote, Broadcast));
            s.Send(member, Udp(Remote, H1));
            s.Send(member, ArpRequest(Remote, Broadcast, 0x0a00_00b0, 0x0a00_00b0));
        }

        Assert.Empty(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
        Assert.DoesNotContain(Fdb(s), e => e.Mac == Remote);

        // Nor does anything leave by the bond.
        s.Send(s.Hosts[0], Udp(H1, Broadcast));
        Assert.Single(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Empty(Data(BondScenario.TakeSent(s.Members[0])));
        Assert.Empty(Data(BondScenario.TakeSent(s.Members[1])));
    }

    [Fact]
    public void Balance_tcp_without_lacp_neither_sends_nor_accepts_anything()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceTcp });
        Assert.Equal(BondInputRule.DropAll, s.Map.InputRule);
        Assert.All(s.Map.Outputs.ToArray(), o => Assert.Equal(0, o));
        s.Send(s.Members[0], Udp(Remote, Broadcast));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[0]));
        s.Send(s.Hosts[0], Udp(H1, Broadcast));
        Assert.Single(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Empty(BondScenario.TakeSent(s.Members[0]));
        Assert.Empty(BondScenario.TakeSent(s.Members[1]));
    }

    private static IReadOnlyList<MacEntry> Fdb(BondScenario s) =>
        s.Bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5)).Result.Entries;
}
