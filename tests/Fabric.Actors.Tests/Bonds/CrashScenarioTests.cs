using Akka.Actor;
using Fabric.Actors.Bonds;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Actors.Diagnostics;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Bonds;
using static Fabric.Actors.Tests.Bonds.BondFrames;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>
/// Crashes of the bond actor and of member actors while traffic flows: the restarted actors carry on from the
/// datapath's bond map, which does not change, and the datapath keeps forwarding every frame meanwhile.
/// </summary>
public sealed class CrashScenarioTests
{
    private const ulong Far = 0x0200_0000_00f0;

    [Fact]
    public void A_crashed_active_backup_bond_actor_restarts_from_the_datapath_map_and_no_frame_is_lost()
    {
        using var s = new BondScenario();

        // Make m2 the active member (m1 failed and came back: no primary, so m2 stays active).
        s.Members[0].SetCarrier(false);
        s.NextPoll();
        s.Members[0].SetCarrier(true);
        s.NextPoll();
        Assert.Equal("m2", s.Status().ActiveMember);
        WarmUp(s, 4);
        var map = s.Map;

        var injected = CrashWhileSending(s, s.BondActor);

        Assert.Same(map, s.Map); // not even republished
        Assert.Equal("m2", s.Status().ActiveMember);
        Assert.All(s.Status().Members, m => Assert.True(m.Enabled));
        Assert.Equal(injected, Data(BondScenario.TakeSent(s.Members[1])).Count);
        Assert.Empty(Data(BondScenario.TakeSent(s.Members[0])));

        // The restarted actor still fails over.
        s.Members[1].SetCarrier(false);
        s.NextPoll();
        Assert.Equal("m1", s.Status().ActiveMember);
        Assert.Equal(s.MemberDp(1), s.Map.ActiveMember);
    }

    [Fact]
    public void A_crashed_slb_bond_actor_keeps_every_bucket_where_it_was()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb }, members: 3);
        WarmUp(s, 16);
        s.Members[2].SetCarrier(false); // m3's buckets move to m1 and m2
        s.NextPoll();
        s.Members[2].SetCarrier(true); // m3 is back, with the unused buckets dealt out again
        s.NextPoll();
        var map = s.Map;
        var perMember = MembersOf(s, 16);

        var injected = CrashWhileSending(s, s.BondActor, sources: 16);

        Assert.Same(map, s.Map);
        Assert.Equal(perMember, MembersOf(s, 16));
        Assert.Equal(injected, s.Members.Sum(m => Data(BondScenario.TakeSent(m)).Count));
    }

    [Fact]
    public void A_crashed_member_actor_restarts_enabled_and_changes_nothing()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb });
        WarmUp(s, 8);
        var map = s.Map;

        var injected = CrashWhileSending(s, s.MemberActor(1), sources: 8);

        Assert.Same(map, s.Map);
        Assert.All(s.Status().Members, m => Assert.True(m.Enabled));
        Assert.Equal(injected, s.Members.Sum(m => Data(BondScenario.TakeSent(m)).Count));

        // The restarted member still polls its carrier.
        s.Members[0].SetCarrier(false);
        s.NextPoll();
        Assert.False(s.MemberView(1).Enabled);
        Assert.DoesNotContain(s.MemberDp(1), s.Map.Outputs.ToArray());
    }

    [Fact]
    public void A_crashed_lacp_member_actor_keeps_transmitting_and_timing_out_so_the_aggregation_survives()
    {
        var peer = new BondScenario(b => b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast }, macBase: 0x0b00_0000_0000);
        using var s = new BondScenario(b => b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast });
        using (peer)
        {
            var wire = new[] { s, peer };
            RunWired(wire, TimeSpan.FromSeconds(3), connected: true);
            Assert.All(wire, x => Assert.Equal(LacpStatus.Negotiated, x.Status().LacpStatus));
            var map = s.Map;

            s.EventFilter.Exception<InjectedFailureException>().ExpectOne(() => s.MemberActor(1).Tell(new InjectFault("test")));
            s.Settle();

            // Ten seconds later (more than three receive timeouts) both ends still see each other on both links, and
            // the restarted member sent its PDU every second (the partner asks for the fast rate) all along.
            var pdus = RunWired(wire, TimeSpan.FromSeconds(10), connected: true);
            Assert.InRange(pdus[0], 10, 12);
            Assert.All(wire, x => Assert.All(x.Status().Members, m => Assert.True(m.Enabled && m.MayEnable, $"{m.Name} of {x.Members[0].MacAddress:x}")));
            Assert.Same(map, s.Map);

            // And the restarted member still times out when its partner goes silent.
            RunWired(wire, TimeSpan.FromSeconds(7), connected: false);
            Assert.Contains("member: m1: defaulted", s.LacpShow());
            Assert.Equal(LacpStatus.Configured, s.Status().LacpStatus);
        }
    }

    [Fact]
    public void A_crashed_lacp_bond_actor_keeps_forwarding_by_the_restored_map_while_lacp_renegotiates()
    {
        var peer = new BondScenario(b => b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast }, macBase: 0x0b00_0000_0000);
        using var s = new BondScenario(b => b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast });
        using (peer)
        {
            var wire = new[] { s, peer };
            RunWired(wire, TimeSpan.FromSeconds(3), connected: true);
            Assert.All(wire, x => Assert.Equal(LacpStatus.Negotiated, x.Status().LacpStatus));
            WarmUp(s, 4);
            var map = s.Map;

            var injected = CrashWhileSending(s, s.BondActor);
            Assert.Equal(injected, s.Members.Sum(m => Data(BondScenario.TakeSent(m)).Count));
            Assert.Same(map, s.Map);

            // The fresh LACP state machine hears the partner again and takes over from the held verdicts.
            RunWired(wire, TimeSpan.FromSeconds(5), connected: true);
            Assert.All(wire, x => Assert.Equal(LacpStatus.Negotiated, x.Status().LacpStatus));
            Assert.All(wire, x => Assert.All(x.Status().Members, m => Assert.True(m.Enabled && m.MayEnable)));
            Assert.Contains("member: m1: current attached", s.LacpShow());
            Assert.Contains("member: m2: current attached", s.LacpShow());
            Assert.Same(map, s.Map);
        }
    }

    /// <summary>Sends one frame from each of <paramref name="sources"/> source MACs on p1, so that their megaflows exist.</summary>
    private static void WarmUp(BondScenario s, int sources)
    {
        for (var i = 0; i < sources; i++)
        {
            s.Send(s.Hosts[0], Udp(0x0200_0000_1000UL + (ulong)i, Far));
        }

        s.ClearSent();
    }

    /// <summary>The member (1-based) each warm-up source's bucket maps to.</summary>
    private static int[] MembersOf(BondScenario s, int sources) =>
        Enumerable.Range(0, sources).Select(i => s.MemberIndexOf(s.Map.OutputOf(BondHash.Bucket(BondHash.SlbHash(0x0200_0000_1000UL + (ulong)i, 0, 0))))).ToArray();

    /// <summary>
    /// Injects frames from the warm-up sources on p1 and forwards them before the crash, between the fault and the
    /// restart, and after it, then settles. Returns how many frames were injected.
    /// </summary>
    private static int CrashWhileSending(BondScenario s, IActorRef victim, int sources = 4)
    {
        var injected = 0;
        void Burst()
        {
            for (var i = 0; i < sources; i++)
            {
                s.Hosts[0].Inject(Udp(0x0200_0000_1000UL + (ulong)i, Far));
                injected++;
            }

            Assert.Equal(0, s.Poll()); // every frame hits its megaflow
        }

        Burst();
        s.EventFilter.Exception<InjectedFailureException>().ExpectOne(() =>
        {
            victim.Tell(new InjectFault("test"));
            Burst();
        });
        Burst();
        s.Settle();
        Burst();
        s.Step(TimeSpan.FromMilliseconds(100));
        Burst();
        Assert.Equal(injected, BondScenario.TakeSent(s.Hosts[1]).Count); // the flood copy to p2
        return injected;
    }

    /// <summary>Runs two wired scenarios for <paramref name="delta"/>; returns the LACPDUs side 0 sent per member.</summary>
    private static int[] RunWired(BondScenario[] sides, TimeSpan delta, bool connected)
    {
        var (a, b) = (sides[0], sides[1]);
        var pdus = new int[2];
        for (var t = TimeSpan.Zero; t < delta; t += TimeSpan.FromMilliseconds(100))
        {
            a.Step(TimeSpan.FromMilliseconds(100));
            b.Step(TimeSpan.FromMilliseconds(100));
            for (var round = 0; round < 2; round++)
            {
                a.Flush();
                b.Flush();
                for (var i = 0; i < 2; i++)
                {
                    var fromA = BondScenario.TakeSent(a.Members[i]);
                    var fromB = BondScenario.TakeSent(b.Members[i]);
                    pdus[i] += fromA.Count(IsLacp);
                    if (connected)
                    {
                        fromA.ForEach(f => b.Members[i].Inject(f));
                        fromB.ForEach(f => a.Members[i].Inject(f));
                    }
                }

                a.Poll();
                b.Poll();
                a.Settle();
                b.Settle();
            }
        }

        return pdus;
    }
}
