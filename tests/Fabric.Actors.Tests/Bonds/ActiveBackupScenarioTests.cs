using Fabric.Actors.Bonds;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Bonds;
using static Fabric.Actors.Tests.Bonds.BondFrames;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>
/// active-backup bonds on virtual time (ovs-facts §1.5, §1.6): which member is active, where traffic leaves, failover
/// through the datapath's bond map without new megaflows, primary pre-emption, and updelay/downdelay to the millisecond.
/// </summary>
public sealed class ActiveBackupScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;
    private const ulong Far = 0x0200_0000_00f0;

    [Fact]
    public void The_first_member_whose_link_comes_up_becomes_active_and_stays_active_when_the_other_follows()
    {
        using var s = new BondScenario(membersUp: [false, false]);
        Assert.Null(s.Status().ActiveMember);
        Assert.Equal(0, s.Map.ActiveMember);
        Assert.All(s.Map.Outputs.ToArray(), o => Assert.Equal(0, o));

        s.Members[1].SetCarrier(true);
        s.NextPoll();
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);
        Assert.All(s.Map.Outputs.ToArray(), o => Assert.Equal(s.MemberDp(2), o));

        s.Members[0].SetCarrier(true);
        s.NextPoll();
        Assert.True(s.MemberView(1).Enabled);
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);
    }

    [Fact]
    public void Traffic_leaves_only_on_the_active_member_and_follows_a_failover_without_a_new_megaflow()
    {
        using var s = new BondScenario();
        Assert.Equal("m1", s.Status().ActiveMember);

        // Unknown destination: flooded to p2 and to the bond, i.e. to the active member only.
        Assert.Equal(1, s.Send(s.Hosts[0], Udp(H1, Far)));
        Assert.Single(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Single(Data(BondScenario.TakeSent(s.Members[0])));
        Assert.Empty(Data(BondScenario.TakeSent(s.Members[1])));

        // The far host answers through the active member and is learned on the bond: now H1 → Far goes to the bond alone.
        s.Send(s.Members[0], Udp(Far, H1));
        Assert.Single(BondScenario.TakeSent(s.Hosts[0]));
        s.AwaitAssert(() => Assert.DoesNotContain(s.Datapath.Flows.Snapshot(), f => f.Key.InPort == 1 && f.Key.DlDst == Far && f.Actions.ToString().Contains(',')));
        s.Send(s.Hosts[0], Udp(H1, Far));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
        Assert.Single(Data(BondScenario.TakeSent(s.Members[0])));
        Assert.Empty(Data(BondScenario.TakeSent(s.Members[1])));
        var flow = Assert.Single(s.Datapath.Flows.Snapshot(), f => f.Key.InPort == 1 && f.Key.DlDst == Far);
        Assert.Equal($"lb_output({BondScenario.BondId})", flow.Actions.ToString());

        // Carrier loss on the active member (downdelay 0): the next poll makes m2 active...
        s.Members[0].SetCarrier(false);
        s.Step(TimeSpan.FromMilliseconds(19));
        Assert.Equal("m1", s.Status().ActiveMember);
        s.Step(TimeSpan.FromMilliseconds(1));
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);

        // ...and the same megaflow's lb_output now resolves to m2: no upcall, no new flow.
        var flowsBefore = s.Datapath.Flows.Snapshot().Where(f => f.Key.InPort == 1).Select(f => f.Id).Order().ToArray();
        s.ClearSent();
        Assert.Equal(0, s.Send(s.Hosts[0], Udp(H1, Far), Udp(H1, Far)));
        Assert.Empty(BondScenario.TakeSent(s.Members[0]));
        Assert.Equal(2, Data(BondScenario.TakeSent(s.Members[1])).Count);
        Assert.Equal(flowsBefore, s.Datapath.Flows.Snapshot().Where(f => f.Key.InPort == 1).Select(f => f.Id).Order().ToArray());
        Assert.Equal(2, flow.Packets); // the two frames after the failover (the first one went up as an upcall)
    }

    [Fact]
    public void The_primary_pre_empts_when_it_comes_back_after_its_updelay()
    {
        using var s = new BondScenario(b => b with { Primary = "m1", UpDelay = TimeSpan.FromSeconds(1) });

        // At start nothing is enabled, so the first member in updelay (m1) skips it; m2 waits its full updelay.
        Assert.Equal("m1", s.Status().ActiveMember);
        Assert.False(s.MemberView(2).Enabled);
        s.Run(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        Assert.True(s.MemberView(2).Enabled);

        s.Members[0].SetCarrier(false);
        s.NextPoll();
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);

        // The primary's link returns: it must wait its updelay (m2 is enabled), then takes over at once.
        s.Members[0].SetCarrier(true);
        s.NextPoll();
        var m1 = s.MemberView(1);
        Assert.Equal(("updelay", 1000L), (m1.DelayKind, m1.DelayRemainingMs));
        s.Step(TimeSpan.FromMilliseconds(999));
        Assert.Equal("m2", s.Status().ActiveMember);
        s.Step(TimeSpan.FromMilliseconds(1));
        Assert.True(s.MemberView(1).Enabled);
        Assert.Equal("m1", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(1), s.Map.ActiveMember);
        Assert.All(s.Map.Outputs.ToArray(), o => Assert.Equal(s.MemberDp(1), o));
    }

    [Fact]
    public void With_every_member_down_the_first_link_up_skips_its_updelay()
    {
        using var s = new BondScenario(b => b with { UpDelay = TimeSpan.FromSeconds(5) });
        s.Run(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(20));
        Assert.All(s.Status().Members, m => Assert.True(m.Enabled));

        s.Members[0].SetCarrier(false);
        s.Members[1].SetCarrier(false);
        s.NextPoll();
        Assert.Null(s.Status().ActiveMember);
        Assert.Equal(0, s.Map.ActiveMember);

        // m2 comes back: with nothing enabled it is enabled at the poll that saw it, not 5 s later.
        s.Members[1].SetCarrier(true);
        s.NextPoll();
        var m2 = s.MemberView(2);
        Assert.True(m2.Enabled);
        Assert.Null(m2.DelayKind);
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);

        // m1 comes back while m2 is enabled: it waits the whole 5 s.
        s.Members[0].SetCarrier(true);
        s.NextPoll();
        Assert.Equal(("updelay", 5000L), (s.MemberView(1).DelayKind, s.MemberView(1).DelayRemainingMs));
        s.Step(TimeSpan.FromMilliseconds(4999));
        Assert.False(s.MemberView(1).Enabled);
        s.Step(TimeSpan.FromMilliseconds(1));
        Assert.True(s.MemberView(1).Enabled);
        Assert.Equal("m2", s.Status().ActiveMember);
    }

    [Fact]
    public void Downdelay_and_updelay_hold_exactly_to_the_millisecond_after_the_poll_that_saw_the_change()
    {
        using var s = new BondScenario(b => b with { UpDelay = TimeSpan.FromMilliseconds(1000), DownDelay = TimeSpan.FromMilliseconds(500) });
        s.Run(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        Assert.Equal("m1", s.Status().ActiveMember);
        Assert.True(s.MemberView(2).Enabled);

        s.Members[0].SetCarrier(false);
        s.NextPoll();
        var polledAt = s.NowMs;
        var m1 = s.MemberView(1);
        Assert.Equal((true, "downdelay", 500L), (m1.Enabled, m1.DelayKind, m1.DelayRemainingMs));

        s.Step(TimeSpan.FromMilliseconds(499));
        Assert.Equal(polledAt + 499, s.NowMs);
        m1 = s.MemberView(1);
        Assert.Equal((true, "downdelay", 1L), (m1.Enabled, m1.DelayKind, m1.DelayRemainingMs));
        Assert.Equal(s.MemberDp(1), s.Map.ActiveMember);

        s.Step(TimeSpan.FromMilliseconds(1));
        m1 = s.MemberView(1);
        Assert.Equal((false, (string?)null), (m1.Enabled, m1.DelayKind));
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);
        Assert.False(s.Map.Member(s.MemberDp(1))!.Value.Enabled);

        s.Members[0].SetCarrier(true);
        s.NextPoll();
        polledAt = s.NowMs;
        Assert.Equal(("updelay", 1000L), (s.MemberView(1).DelayKind, s.MemberView(1).DelayRemainingMs));
        s.Step(TimeSpan.FromMilliseconds(999));
        Assert.Equal(polledAt + 999, s.NowMs);
        Assert.False(s.MemberView(1).Enabled);
        Assert.False(s.Map.Member(s.MemberDp(1))!.Value.Enabled);
        s.Step(TimeSpan.FromMilliseconds(1));
        Assert.True(s.MemberView(1).Enabled);
        Assert.True(s.Map.Member(s.MemberDp(1))!.Value.Enabled);
        Assert.Equal("m2", s.Status().ActiveMember); // no primary: no pre-emption
    }

    [Fact]
    public void A_flap_shorter_than_downdelay_cancels_the_timer_and_the_member_stays_enabled()
    {
        using var s = new BondScenario(b => b with { DownDelay = TimeSpan.FromMilliseconds(500) });
        Assert.Equal("m1", s.Status().ActiveMember);

        s.Members[0].SetCarrier(false);
        s.NextPoll();
        Assert.Equal("downdelay", s.MemberView(1).DelayKind);
        s.Run(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20));
        s.Members[0].SetCarrier(true);
        s.NextPoll();
        var m1 = s.MemberView(1);
        Assert.Equal((true, (string?)null, 0L), (m1.Enabled, m1.DelayKind, m1.DelayRemainingMs));

        // Well past the moment the cancelled downdelay would have expired: nothing happened.
        s.Run(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        Assert.True(s.MemberView(1).Enabled);
        Assert.Equal("m1", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(1), s.Map.ActiveMember);
        Assert.True(s.Map.Member(s.MemberDp(1))!.Value.Enabled);
        Assert.Equal(0, s.Status().LearningPacketsSent);
    }

    [Fact]
    public void With_miimon_the_link_is_polled_every_miimon_interval_instead_of_every_20_ms()
    {
        using var s = new BondScenario(b => b with { DetectMode = BondDetectMode.Miimon, MiimonInterval = TimeSpan.FromMilliseconds(200) });
        Assert.Equal("m1", s.Status().ActiveMember);

        // The members' poll timers started with the scenario: they fire 200 ms, 400 ms, … later.
        s.Members[0].SetCarrier(false);
        s.Run(TimeSpan.FromMilliseconds(180), TimeSpan.FromMilliseconds(20));
        Assert.True(s.MemberView(1).Enabled);
        s.Step(TimeSpan.FromMilliseconds(19));
        Assert.True(s.MemberView(1).Enabled);
        s.Step(TimeSpan.FromMilliseconds(1));
        Assert.False(s.MemberView(1).Enabled);
        Assert.Equal("m2", s.Status().ActiveMember);
    }

    [Fact]
    public void Set_active_member_and_disable_member_commands_act_at_once_and_refuse_what_ovs_refuses()
    {
        using var s = new BondScenario(b => b with { DownDelay = TimeSpan.FromSeconds(1) });
        Assert.Equal("m1", s.Status().ActiveMember);

        Assert.Equal(new BondProtocol.CommandResult(true, "done"), s.Command(new BondProtocol.SetActiveMember(BondScenario.BondName, "m2")));
        s.Settle();
        Assert.Equal(s.MemberDp(2), s.Map.ActiveMember);
        Assert.Equal(new BondProtocol.CommandResult(true, "no change"), s.Command(new BondProtocol.SetActiveMember(BondScenario.BondName, "m2")));
        Assert.False(s.Command(new BondProtocol.SetActiveMember(BondScenario.BondName, "m9")).Ok);

        // bond/disable-member ignores downdelay; the active member moves at once, and a disabled member cannot be made active.
        Assert.Equal(new BondProtocol.CommandResult(true, "disabled"), s.Command(new BondProtocol.SetMemberEnabled(BondScenario.BondName, "m2", false)));
        s.Settle();
        Assert.False(s.MemberView(2).Enabled);
        Assert.Equal(s.MemberDp(1), s.Map.ActiveMember);
        Assert.False(s.Command(new BondProtocol.SetActiveMember(BondScenario.BondName, "m2")).Ok);

        // A disabled member stays disabled whatever its link does, until it is enabled again.
        s.Run(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20));
        Assert.False(s.MemberView(2).Enabled);
        Assert.Equal(new BondProtocol.CommandResult(true, "enabled"), s.Command(new BondProtocol.SetMemberEnabled(BondScenario.BondName, "m2", true)));
        s.Settle();
        Assert.True(s.MemberView(2).Enabled);
        Assert.Equal("m1", s.Status().ActiveMember);
    }
}
