using Fabric.Actors.Bonds;
using Fabric.Actors.Bonds.Lacp;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Bonds;
using static Fabric.Actors.Tests.Bonds.BondFrames;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>
/// LACP between two Fabric switches on virtual time (ovs-facts §1.9, §1.3, §1.8): two <see cref="BondScenario"/>s (two
/// actor systems, two datapaths, one virtual clock each, advanced in lockstep) whose bond members are wired back to
/// back — m1 to m1, m2 to m2 — by moving every frame sent on one side's member port into the other side's.
/// </summary>
public sealed class LacpScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong Far = 0x0200_0000_00f0;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Two_bonds_back_to_back_negotiate_and_forward_between_their_hosts()
    {
        using var w = new Wire(b => b);
        w.Run(TimeSpan.FromSeconds(3));
        foreach (var s in w.Sides)
        {
            var status = s.Status();
            Assert.Equal(LacpStatus.Negotiated, status.LacpStatus);
            Assert.All(status.Members, m => Assert.True(m.Enabled && m.MayEnable));
            Assert.Equal(BondInputRule.Negotiated, s.Map.InputRule);
            var show = s.LacpShow();
            Assert.Contains("status: active negotiated", show);
            Assert.Contains("member: m1: current attached", show);
            Assert.Contains("member: m2: current attached", show);
        }

        // A frame from a host of side A reaches both hosts of side B through the aggregated link.
        w.A.Send(w.A.Hosts[0], Udp(H1, Far));
        w.Pump();
        Assert.Single(Data(BondScenario.TakeSent(w.B.Hosts[0])));
        Assert.Single(Data(BondScenario.TakeSent(w.B.Hosts[1])));
    }

    [Fact]
    public void Without_pdus_a_member_expires_after_3_s_defaults_3_s_later_and_with_fallback_the_bond_runs_active_backup()
    {
        using var w = new Wire(b => b with { Mode = BondMode.BalanceTcp, LacpFallbackAb = true });
        w.Run(TimeSpan.FromSeconds(3));
        var a = w.A;
        Assert.Equal(LacpStatus.Negotiated, a.Status().LacpStatus);
        var outputs = a.Map.Outputs.ToArray();
        Assert.Contains(a.MemberDp(1), outputs); // balance-tcp spreads the buckets while negotiated
        Assert.Contains(a.MemberDp(2), outputs);

        var (lastM1, lastM2) = w.Cut();
        var last = Math.Max(lastM1, lastM2);

        // Fast LACP: the receive timer is 3 × 1 s after the last PDU.
        w.AdvanceTo(lastM1 + 2999);
        Assert.Contains("member: m1: current attached", a.LacpShow());
        w.AdvanceTo(lastM1 + 3000);
        Assert.Contains("member: m1: expired", a.LacpShow());
        Assert.False(a.MemberView(1).MayEnable); // the partner's Synchronization is cleared on expiry
        w.AdvanceTo(last + 3000);
        Assert.All(a.Status().Members, m => Assert.False(m.Enabled));
        Assert.All(a.Map.Outputs.ToArray(), o => Assert.Equal(0, o)); // no enabled member, nothing leaves

        // Another 3 s: defaulted, LACP no longer negotiated, and lacp-fallback-ab makes the bond active-backup.
        w.AdvanceTo(lastM1 + 5999);
        Assert.Contains("member: m1: expired", a.LacpShow());
        w.AdvanceTo(lastM1 + 6000);
        Assert.Contains("member: m1: defaulted attached", a.LacpShow());
        w.AdvanceTo(last + 6000);
        var status = a.Status();
        Assert.Equal(LacpStatus.Configured, status.LacpStatus);
        Assert.All(status.Members, m => Assert.True(m.Enabled));
        Assert.NotNull(status.ActiveMember);
        var active = a.Map.ActiveMember;
        Assert.All(a.Map.Outputs.ToArray(), o => Assert.Equal(active, o));
        Assert.Equal(BondInputRule.ActiveOnly, a.Map.InputRule);

        // Traffic from a host now leaves on the active member only.
        a.ClearSent();
        for (ushort i = 0; i < 8; i++)
        {
            a.Send(a.Hosts[0], Udp(H1 + i, Far));
        }

        var activeIndex = a.MemberIndexOf(active);
        Assert.Equal(8, Data(BondScenario.TakeSent(a.Members[activeIndex - 1])).Count);
        Assert.Empty(Data(BondScenario.TakeSent(a.Members[2 - activeIndex])));
    }

    [Fact]
    public void A_carrier_change_expires_the_member_and_restarts_its_3_s_receive_timer()
    {
        using var w = new Wire(b => b);
        w.Run(TimeSpan.FromSeconds(3));
        var a = w.A;
        var (lastM1, _) = w.Cut();

        // 2 s after the last PDU m1's link goes down; the next poll sees it (OVS lacp_member_carrier_changed).
        w.AdvanceTo(lastM1 + 2000);
        a.Members[0].SetCarrier(false);
        a.NextPoll();
        var polled = a.NowMs;
        Assert.Contains("member: m1: expired", a.LacpShow());

        // The receive timer now runs from the poll, not from the last PDU: still expired 3 s after that PDU...
        w.AdvanceTo(lastM1 + 3500);
        Assert.Contains("member: m1: expired", a.LacpShow());
        w.AdvanceTo(polled + 2999);
        Assert.Contains("member: m1: expired", a.LacpShow());

        // ...and defaulted 3 s after the poll.
        w.AdvanceTo(polled + 3000);
        Assert.Contains("member: m1: defaulted", a.LacpShow());
    }

    [Fact]
    public void Without_pdus_and_without_fallback_the_defaulted_bond_drops_all_traffic()
    {
        using var w = new Wire(b => b with { Mode = BondMode.BalanceTcp });
        w.Run(TimeSpan.FromSeconds(3));
        var a = w.A;
        Assert.Equal(LacpStatus.Negotiated, a.Status().LacpStatus);
        var (lastM1, lastM2) = w.Cut();
        w.AdvanceTo(Math.Max(lastM1, lastM2) + 3000); // expired
        Assert.All(a.Status().Members, m => Assert.False(m.Enabled));
        w.AdvanceTo(Math.Max(lastM1, lastM2) + 6000); // defaulted

        var status = a.Status();
        Assert.Equal(LacpStatus.Configured, status.LacpStatus);
        Assert.Contains("member: m1: defaulted detached", a.LacpShow());
        Assert.Contains("member: m2: defaulted detached", a.LacpShow());
        Assert.All(status.Members, m => Assert.False(m.Enabled || m.MayEnable));
        Assert.All(a.Map.Outputs.ToArray(), o => Assert.Equal(0, o));
        Assert.Equal(BondInputRule.DropAll, a.Map.InputRule);

        a.ClearSent();
        a.Send(a.Hosts[0], Udp(H1, Far));
        Assert.Single(BondScenario.TakeSent(a.Hosts[1]));
        Assert.Empty(Data(BondScenario.TakeSent(a.Members[0])));
        Assert.Empty(Data(BondScenario.TakeSent(a.Members[1])));
        a.Send(a.Members[0], Udp(Far, H1));
        Assert.Empty(BondScenario.TakeSent(a.Hosts[0]));
    }

    [Fact]
    public void An_active_bond_negotiates_with_a_passive_one_and_each_side_transmits_at_the_rate_its_partner_asks_for()
    {
        // A asks for fast PDUs, B (passive) for slow ones: B must send every second, A every 30 s (ovs-facts §1.9).
        using var w = new Wire(b => b, b => b with { Lacp = LacpMode.Passive, LacpTime = LacpTime.Slow });
        w.Run(TimeSpan.FromSeconds(3));
        Assert.All(w.Sides, s => Assert.Equal(LacpStatus.Negotiated, s.Status().LacpStatus));
        Assert.All(w.Sides, s => Assert.All(s.Status().Members, m => Assert.True(m.Enabled)));
        Assert.Contains("status: passive negotiated", w.B.LacpShow());

        Array.Clear(w.Pdus);
        w.Run(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 2; i++)
        {
            Assert.InRange(w.Pdus[1, i], 59, 61); // B → A: 1 s
            Assert.InRange(w.Pdus[0, i], 2, 3); // A → B: 30 s
        }

        // Sixty seconds on: still negotiated on both sides (A's 3 s and B's 90 s receive timeouts never ran out).
        Assert.All(w.Sides, s => Assert.Equal(LacpStatus.Negotiated, s.Status().LacpStatus));
        Assert.All(w.Sides, s => Assert.All(s.Status().Members, m => Assert.True(m.Enabled && m.MayEnable)));
    }

    [Fact]
    public void Two_passive_bonds_never_speak_and_never_negotiate()
    {
        using var w = new Wire(b => b with { Lacp = LacpMode.Passive });
        w.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(0, w.Pdus[0, 0] + w.Pdus[0, 1] + w.Pdus[1, 0] + w.Pdus[1, 1]);
        Assert.All(w.Sides, s => Assert.Equal(LacpStatus.Configured, s.Status().LacpStatus));
    }

    /// <summary>Two LACP bonds (fast, active) whose members are cross-connected while the wire is up.</summary>
    private sealed class Wire : IDisposable
    {
        private bool _connected = true;

        public Wire(Func<BondSettings, BondSettings> configure, Func<BondSettings, BondSettings>? configureB = null)
        {
            A = new BondScenario(b => configure(b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast }), macBase: 0x0a00_0000_0000);
            B = new BondScenario(b => (configureB ?? configure)(b with { Lacp = LacpMode.Active, LacpTime = LacpTime.Fast }), macBase: 0x0b00_0000_0000);
        }

        public BondScenario A { get; }

        public BondScenario B { get; }

        public BondScenario[] Sides => [A, B];

        /// <summary>When side A last received an LACPDU on each member (virtual ms).</summary>
        public long[] LastPduToA { get; } = new long[2];

        /// <summary>LACPDUs carried from A to B and from B to A, per member (while connected).</summary>
        public int[,] Pdus { get; } = new int[2, 2];

        /// <summary>Advances both sides by <paramref name="delta"/> in <see cref="Tick"/> steps, pumping the wire after each.</summary>
        public void Run(TimeSpan delta)
        {
            for (var t = TimeSpan.Zero; t < delta; t += Tick)
            {
                Step(Tick);
            }
        }

        /// <summary>Advances both sides so that side A's clock reads <paramref name="ms"/> (ms), in one step.</summary>
        public void AdvanceTo(long ms)
        {
            var delta = ms - A.NowMs;
            Assert.True(delta >= 0, $"cannot go back from {A.NowMs} to {ms}");
            Step(TimeSpan.FromMilliseconds(delta));
        }

        /// <summary>Stops carrying frames (carriers stay up, as with a broken partner); returns side A's last PDU times.</summary>
        public (long M1, long M2) Cut()
        {
            _connected = false;
            return (LastPduToA[0], LastPduToA[1]);
        }

        /// <summary>Sends what both sides queued and carries it across (while connected), then lets both react.</summary>
        public void Pump()
        {
            for (var round = 0; round < 2; round++)
            {
                A.Flush();
                B.Flush();
                for (var i = 0; i < 2; i++)
                {
                    var fromA = BondScenario.TakeSent(A.Members[i]);
                    var fromB = BondScenario.TakeSent(B.Members[i]);
                    if (!_connected)
                    {
                        continue;
                    }

                    fromA.ForEach(f => B.Members[i].Inject(f));
                    fromB.ForEach(f => A.Members[i].Inject(f));
                    Pdus[0, i] += fromA.Count(IsLacp);
                    Pdus[1, i] += fromB.Count(IsLacp);
                    if (fromB.Any(IsLacp))
                    {
                        LastPduToA[i] = A.NowMs;
                    }
                }

                A.Poll();
                B.Poll();
                A.Settle();
                B.Settle();
            }
        }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
        }

        private void Step(TimeSpan delta)
        {
            A.Advance(delta);
            B.Advance(delta);
            A.Settle();
            B.Settle();
            Pump();
        }
    }
}
