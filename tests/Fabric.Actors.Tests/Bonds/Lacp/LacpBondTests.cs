using Fabric.Actors.Bonds.Lacp;
using Fabric.Datapath.Packets.Lacp;
using Xunit;

namespace Fabric.Actors.Tests.Bonds.Lacp;

public class LacpBondTests
{
    private const ulong SysA = 0xaa66aa660000UL; // aa:66:aa:66:00:00
    private const ulong SysB = 0xaa77aa770000UL; // aa:77:aa:77:00:00

    private const LacpStateFlags Negotiated =
        LacpStateFlags.Activity | LacpStateFlags.Timeout | LacpStateFlags.Aggregation
        | LacpStateFlags.Synchronization | LacpStateFlags.Collecting | LacpStateFlags.Distributing;

    /// <summary>
    /// Runs the lacp_run loop on every bond until quiet: update attachment if needed, then every member that may
    /// transmit sends if its transmit timer is due (first round only, when <paramref name="txTimersDue"/>) or it needs
    /// to transmit now; frames cross the wires and are received after every bond has run. Returns the frames sent.
    /// </summary>
    private static int Pump(LacpBond[] bonds, (LacpMember A, LacpMember B)[] wires, bool txTimersDue = true)
    {
        var peers = new Dictionary<LacpMember, LacpMember>();
        foreach ((LacpMember a, LacpMember b) in wires)
        {
            peers[a] = b;
            peers[b] = a;
        }

        int sent = 0;
        bool timersDue = txTimersDue;
        for (int round = 0; round < 100; round++)
        {
            var inFlight = new List<(LacpMember To, byte[] Frame)>();
            foreach (LacpBond bond in bonds)
            {
                if (bond.NeedsUpdate)
                {
                    bond.UpdateAttached();
                }

                foreach (LacpMember m in bond.Members)
                {
                    if (bond.ShouldTransmit(m) && (timersDue || m.NeedsTransmitNow))
                    {
                        var frame = new byte[LacpPdu.FrameLength];
                        Assert.Equal(LacpPdu.FrameLength, bond.ComposePdu(m, frame, 0x020000000000UL | m.PortId));
                        sent++;
                        if (peers.TryGetValue(m, out LacpMember? peer))
                        {
                            inFlight.Add((peer, frame));
                        }
                    }
                }
            }

            timersDue = false;
            if (inFlight.Count == 0 && !bonds.Any(static b => b.NeedsUpdate))
            {
                return sent;
            }

            foreach ((LacpMember to, byte[] frame) in inFlight)
            {
                Assert.Equal(LacpParseResult.Lacp, to.ReceiveFrame(frame));
            }
        }

        throw new InvalidOperationException("LACP exchange did not settle");
    }

    /// <summary>The pair of lacp-show.txt: bond-l0 (aa:66…, members l0a/l0b ports 1/2) and bond-l1 (aa:77…, key 2).</summary>
    private static (LacpBond L0, LacpBond L1, (LacpMember, LacpMember)[] Wires) ExamplePair(
        LacpMode modeA = LacpMode.Active, LacpMode modeB = LacpMode.Active, LacpTime time = LacpTime.Fast)
    {
        var l0 = new LacpBond("bond-l0", modeA, time, SysA);
        var l1 = new LacpBond("bond-l1", modeB, time, SysB);
        LacpMember l0a = l0.RegisterMember("l0a", 1);
        LacpMember l0b = l0.RegisterMember("l0b", 2);
        LacpMember l1a = l1.RegisterMember("l1a", 1, key: 2);
        LacpMember l1b = l1.RegisterMember("l1b", 2, key: 2);
        return (l0, l1, [(l0a, l1a), (l0b, l1b)]);
    }

    private static LacpMember M(LacpBond bond, string name) =>
        bond.TryGetMember(name, out LacpMember? m) ? m : throw new KeyNotFoundException(name);

    [Fact]
    public void Two_active_bonds_negotiate_and_attach_every_member()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Assert.Equal(LacpStatus.Configured, l0.Status);

        Assert.True(Pump([l0, l1], wires) > 0);

        foreach ((LacpBond bond, ulong partnerSys, ushort partnerKey) in new[] { (l0, SysB, (ushort)2), (l1, SysA, (ushort)1) })
        {
            Assert.Equal(LacpStatus.Negotiated, bond.Status);
            Assert.Equal(65534, bond.SystemPriority);
            foreach (LacpMember m in bond.Members)
            {
                Assert.Equal(LacpMemberStatus.Current, m.Status);
                Assert.True(m.Attached);
                Assert.True(m.MayEnable);
                Assert.Equal(partnerSys, m.Partner.SystemId);
                Assert.Equal(partnerKey, m.Partner.Key);
                Assert.Equal(m.PortId, m.Partner.PortId);
                Assert.Equal(Negotiated, m.Partner.State);
                Assert.Equal(Negotiated, bond.ActorInfo(m).State);
                Assert.False(m.NeedsTransmitNow);
                Assert.Equal(1000, m.TxIntervalMs);
                Assert.Equal(3000, m.RxTimeoutMs);
            }
        }

        Assert.Equal(1, l0.AggregationKey); // key 0 → the first member's port id
        Assert.Equal(2, l1.AggregationKey);
        Assert.Equal(0, Pump([l0, l1], wires, txTimersDue: false)); // settled: nothing more to say
    }

    [Fact]
    public void Active_bond_starts_expired_attached_and_disabled()
    {
        var bond = new LacpBond("b", LacpMode.Active, LacpTime.Slow, SysA);
        LacpMember m = bond.RegisterMember("p1", 1);
        bond.RegisterMember("p2", 2);
        Assert.Equal(LacpMemberStatus.Expired, m.Status); // lacp_member_register on an active bond
        Assert.Equal(3000, m.RxTimeoutMs);
        Assert.Equal(LacpStateFlags.Timeout, m.Partner.State);
        Assert.Equal(1000, m.TxIntervalMs); // partner Timeout forced on: transmit fast

        bond.UpdateAttached();
        Assert.True(m.Attached);
        Assert.False(m.MayEnable); // partner not in sync
        Assert.Equal(LacpStatus.Negotiated, bond.Status); // as OVS: the zero partner leads
        LacpInfo actor = bond.ActorInfo(m);
        // An expired member withdraws Synchronization, Collecting and Distributing until it hears its partner
        // (802.1AX Mux machine; OVS keeps SYNC here, see LacpBond.ActorInfo).
        Assert.Equal(LacpStateFlags.Activity | LacpStateFlags.Expired | LacpStateFlags.Aggregation, actor.State);
        Assert.True(m.NeedsTransmitNow);
        Assert.True(bond.ShouldTransmit(m));
    }

    [Fact]
    public void Receive_timer_expires_current_then_defaults_with_counters()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Pump([l0, l1], wires);
        LacpMember l0a = M(l0, "l0a");

        Assert.Equal(LacpMemberStatus.Expired, l0a.RxTimerExpired());
        Assert.Equal(1u, l0a.LinkExpired);
        Assert.Equal(0u, l0a.LinkDefaulted);
        Assert.Equal(Negotiated & ~LacpStateFlags.Synchronization, l0a.Partner.State);
        Assert.Equal(SysB, l0a.Partner.SystemId); // expired keeps the partner
        Assert.Equal(3000, l0a.RxTimeoutMs);
        Assert.True(l0a.RxTimerRunning);
        Assert.False(l0a.MayEnable);
        Assert.True((l0.ActorInfo(l0a).State & LacpStateFlags.Expired) != 0);

        Assert.Equal(LacpMemberStatus.Defaulted, l0a.RxTimerExpired());
        Assert.Equal(1u, l0a.LinkExpired);
        Assert.Equal(1u, l0a.LinkDefaulted);
        Assert.Equal(default, l0a.Partner);
        Assert.False(l0a.RxTimerRunning);
        Assert.True(l0.NeedsUpdate);
        Assert.Equal(30000, l0a.TxIntervalMs); // zero partner: slow

        Assert.Equal(LacpMemberStatus.Defaulted, l0a.RxTimerExpired()); // stays, counts nothing
        Assert.Equal(1u, l0a.LinkExpired);
        Assert.Equal(1u, l0a.LinkDefaulted);

        l0.UpdateAttached();
        Assert.False(l0a.Attached); // defaulted, no fallback
        Assert.True(M(l0, "l0b").Attached);
        LacpStateFlags s = l0.ActorInfo(l0a).State;
        Assert.Equal(LacpStateFlags.Defaulted, s & (LacpStateFlags.Defaulted | LacpStateFlags.Expired | LacpStateFlags.Synchronization | LacpStateFlags.Collecting));
        Assert.True(l0a.NeedsTransmitNow); // SYNC dropped from what the partner last saw
    }

    [Fact]
    public void Receive_timeout_is_three_times_our_own_rate()
    {
        foreach ((LacpTime time, int expected) in new[] { (LacpTime.Fast, 3000), (LacpTime.Slow, 90000) })
        {
            (LacpBond l0, LacpBond l1, var wires) = ExamplePair(time: time);
            Pump([l0, l1], wires);
            Assert.All(l0.Members, m => Assert.Equal(expected, m.RxTimeoutMs));
        }
    }

    [Fact]
    public void Tx_interval_follows_the_partners_timeout_bit()
    {
        var bond = new LacpBond("b", LacpMode.Passive, LacpTime.Slow, SysA);
        LacpMember m = bond.RegisterMember("p1", 1);
        var partner = new LacpInfo(1, SysB, 9, 1, 7, LacpStateFlags.Activity | LacpStateFlags.Timeout);
        Assert.True(m.Receive(partner, default));
        Assert.Equal(1000, m.TxIntervalMs);
        Assert.Equal(90000, m.RxTimeoutMs); // ours is slow regardless of what the partner asks

        Assert.True(m.Receive(partner with { State = LacpStateFlags.Activity }, default));
        Assert.Equal(30000, m.TxIntervalMs);

        m.RxTimerExpired(); // expiry forces the partner's Timeout on
        Assert.Equal(1000, m.TxIntervalMs);
    }

    [Fact]
    public void Defaulted_members_may_enable_only_with_fallback_ab()
    {
        foreach (bool fallback in new[] { false, true })
        {
            var bond = new LacpBond("b", LacpMode.Active, LacpTime.Fast, SysA, fallbackAb: fallback);
            LacpMember p1 = bond.RegisterMember("p1", 1);
            LacpMember p2 = bond.RegisterMember("p2", 2);
            foreach (LacpMember m in bond.Members)
            {
                Assert.Equal(LacpMemberStatus.Defaulted, m.RxTimerExpired()); // expired at registration → defaulted
            }

            bond.UpdateAttached();
            Assert.Equal(LacpStatus.Configured, bond.Status); // a defaulted member never leads
            Assert.Equal(fallback, p1.Attached);
            Assert.Equal(fallback, p2.Attached);
            Assert.Equal(fallback, p1.MayEnable);
            Assert.Equal(fallback, p2.MayEnable);
        }
    }

    [Fact]
    public void With_fallback_a_negotiated_lead_detaches_defaulted_members()
    {
        var l0 = new LacpBond("bond-l0", LacpMode.Active, LacpTime.Fast, SysA, fallbackAb: true);
        var l1 = new LacpBond("bond-l1", LacpMode.Active, LacpTime.Fast, SysB);
        LacpMember l0a = l0.RegisterMember("l0a", 1);
        LacpMember l0b = l0.RegisterMember("l0b", 2);
        LacpMember l1a = l1.RegisterMember("l1a", 1);
        l0b.RxTimerExpired(); // l0b hears nothing: Expired → Defaulted
        Pump([l0, l1], [(l0a, l1a)]);

        Assert.Equal(LacpStatus.Negotiated, l0.Status);
        Assert.True(l0a.Attached);
        Assert.True(l0a.MayEnable);
        Assert.Equal(LacpMemberStatus.Defaulted, l0b.Status);
        Assert.False(l0b.Attached);
        Assert.False(l0b.MayEnable);
    }

    [Fact]
    public void Passive_bonds_never_transmit_to_each_other()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair(LacpMode.Passive, LacpMode.Passive);
        Assert.Equal(0, Pump([l0, l1], wires));
        foreach (LacpMember m in l0.Members.Concat(l1.Members))
        {
            Assert.False(m.Bond.ShouldTransmit(m));
            Assert.Equal(0u, m.TxPdus);
            Assert.Equal(LacpMemberStatus.Defaulted, m.Status);
            Assert.False(m.MayEnable);
        }

        Assert.Equal(LacpStatus.Configured, l0.Status);
        Assert.Equal(LacpStatus.Configured, l1.Status);
    }

    [Fact]
    public void Passive_bond_answers_an_active_partner()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair(LacpMode.Active, LacpMode.Passive);
        Assert.False(l1.ShouldTransmit(M(l1, "l1a")));
        Pump([l0, l1], wires);
        Assert.Equal(LacpStatus.Negotiated, l0.Status);
        Assert.Equal(LacpStatus.Negotiated, l1.Status);
        Assert.All(l1.Members, m => Assert.True(m.TxPdus > 0));
        Assert.All(l0.Members.Concat(l1.Members), m => Assert.True(m.MayEnable));
        Assert.All(l1.Members, m => Assert.Equal(LacpStateFlags.None, l1.ActorInfo(m).State & LacpStateFlags.Activity));
        Assert.All(l0.Members, m => Assert.Equal(LacpStateFlags.None, m.Partner.State & LacpStateFlags.Activity));
    }

    [Fact]
    public void Loopback_members_are_ignored()
    {
        var bond = new LacpBond("b", LacpMode.Active, LacpTime.Fast, SysA);
        LacpMember p1 = bond.RegisterMember("p1", 1);
        LacpMember p2 = bond.RegisterMember("p2", 2);
        Pump([bond], [(p1, p2)]); // cabled to itself

        Assert.Equal(SysA, p1.Partner.SystemId);
        Assert.Equal(LacpMemberStatus.Current, p1.Status);
        Assert.False(p1.Attached);
        Assert.False(p2.Attached);
        Assert.False(p1.MayEnable);
        Assert.Equal(LacpStatus.Configured, bond.Status);
    }

    [Fact]
    public void Member_with_another_partner_key_is_detached()
    {
        var l0 = new LacpBond("bond-l0", LacpMode.Active, LacpTime.Fast, SysA);
        var l1 = new LacpBond("bond-l1", LacpMode.Active, LacpTime.Fast, SysB);
        var l2 = new LacpBond("bond-l2", LacpMode.Active, LacpTime.Fast, SysB, systemPriority: 65534); // same system, another key
        LacpMember l0a = l0.RegisterMember("l0a", 1);
        LacpMember l0b = l0.RegisterMember("l0b", 2);
        LacpMember l1a = l1.RegisterMember("l1a", 1, key: 2);
        LacpMember l2a = l2.RegisterMember("l2a", 2, key: 3);
        Pump([l0, l1, l2], [(l0a, l1a), (l0b, l2a)]);

        // Our system (aa:66…) outranks aa:77… at equal priority, so our port numbers pick the lead: l0a.
        Assert.Equal(LacpStatus.Negotiated, l0.Status);
        Assert.True(l0a.Attached);
        Assert.True(l0a.MayEnable);
        Assert.Equal(3, l0b.Partner.Key);
        Assert.False(l0b.Attached);
        Assert.False(l0b.MayEnable);
        Assert.Equal(LacpStateFlags.None, l0.ActorInfo(l0b).State & (LacpStateFlags.Synchronization | LacpStateFlags.Collecting));
        Assert.False(l2a.MayEnable); // the far end sees our l0b out of sync
    }

    [Theory]
    [InlineData((ushort)1, "p2")]      // partner outranks us: its port numbering (3 < 9) picks p2
    [InlineData((ushort)65535, "p1")]  // we outrank the partner: our port numbering (1 < 2) picks p1
    public void Lead_is_judged_from_the_higher_priority_systems_view(ushort partnerPriority, string expectedLead)
    {
        var bond = new LacpBond("b", LacpMode.Active, LacpTime.Fast, SysA); // priority 65534 (two members)
        LacpMember p1 = bond.RegisterMember("p1", 1);
        LacpMember p2 = bond.RegisterMember("p2", 2);
        LacpStateFlags inSync = Negotiated;
        var partnerOfP1 = new LacpInfo(partnerPriority, SysB, 10, 65535, 9, inSync);
        var partnerOfP2 = new LacpInfo(partnerPriority, SysB, 11, 65535, 3, inSync); // another key: only one may attach
        p1.Receive(partnerOfP1, default);
        p2.Receive(partnerOfP2, default);
        bond.UpdateAttached();

        Assert.Equal(expectedLead == "p1", p1.Attached);
        Assert.Equal(expectedLead == "p2", p2.Attached);
        Assert.Equal(LacpStatus.Negotiated, bond.Status);
    }

    [Fact]
    public void Equal_system_priorities_fall_back_to_the_lower_mac()
    {
        var bond = new LacpBond("b", LacpMode.Active, LacpTime.Fast, 0xcc0000000001UL, systemPriority: 100); // higher MAC
        LacpMember p1 = bond.RegisterMember("p1", 1);
        LacpMember p2 = bond.RegisterMember("p2", 2);
        p1.Receive(new LacpInfo(100, SysB, 10, 65535, 9, Negotiated), default);
        p2.Receive(new LacpInfo(100, SysB, 11, 65535, 3, Negotiated), default);
        bond.UpdateAttached();
        Assert.False(p1.Attached);
        Assert.True(p2.Attached); // partner aa:77… < cc:00…: its port 3 beats port 9
    }

    [Fact]
    public void Working_lead_keeps_its_partner_system_when_a_better_one_appears_on_a_new_member()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Pump([l0, l1], wires);
        LacpMember l0c = l0.RegisterMember("l0c", 3);
        l0.UpdateAttached();
        Assert.False(l0c.Attached); // its zero partner is not the working lead's system

        // A different system with a far better priority shows up on l0c. Without the working-lead rule it would
        // become the lead and detach l0a/l0b; with it (current lacp.c) l0c stays out.
        l0c.Receive(new LacpInfo(1, 0x0200000000aaUL, 2, 1, 1, Negotiated), l0.ActorInfo(l0c));
        Assert.True(l0.NeedsUpdate);
        l0.UpdateAttached();
        Assert.True(M(l0, "l0a").Attached);
        Assert.True(M(l0, "l0b").Attached);
        Assert.False(l0c.Attached);
        Assert.False(l0c.MayEnable);
    }

    [Fact]
    public void Attached_member_whose_partner_changes_to_a_better_system_takes_the_lead()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Pump([l0, l1], wires);
        LacpMember l0b = M(l0, "l0b");

        // l0b was attached, so its new (better) partner becomes the working lead and l0a, still on aa:77…, detaches.
        l0b.Receive(new LacpInfo(1, 0x0200000000aaUL, 2, 1, 1, Negotiated), l0.ActorInfo(l0b));
        l0.UpdateAttached();
        Assert.False(M(l0, "l0a").Attached);
        Assert.True(l0b.Attached);
    }

    [Fact]
    public void Carrier_changes_expire_count_and_gate_pdus()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Pump([l0, l1], wires);
        LacpMember l0a = M(l0, "l0a");
        LacpInfo peerActor = l0a.Partner;

        Assert.True(l0a.SetCarrier(false));
        Assert.Equal(1u, l0a.CarrierStatusChanged);
        Assert.Equal(0u, l0a.LinkExpired); // carrier expiry is not a link-expired event
        Assert.Equal(LacpMemberStatus.Expired, l0a.Status);
        Assert.Equal(3000, l0a.RxTimeoutMs);
        Assert.False(l0.ShouldTransmit(l0a));

        uint rx = l0a.RxPdus;
        Assert.False(l0a.Receive(peerActor, l0.ActorInfo(l0a))); // dropped while carrier is down
        Assert.Equal(rx + 1, l0a.RxPdus);
        Assert.Equal(LacpMemberStatus.Expired, l0a.Status);

        Assert.True(l0a.SetCarrier(false)); // a reset to the same state expires again but counts nothing
        Assert.Equal(1u, l0a.CarrierStatusChanged);
        Assert.True(l0a.SetCarrier(true));
        Assert.Equal(2u, l0a.CarrierStatusChanged);
        Assert.True(l0.ShouldTransmit(l0a));
        Assert.True(l0a.Receive(peerActor, l0.ActorInfo(l0a)));
        Assert.Equal(LacpMemberStatus.Current, l0a.Status);
    }

    [Fact]
    public void Passive_defaulted_member_does_not_expire_on_carrier_change()
    {
        var bond = new LacpBond("b", LacpMode.Passive, LacpTime.Fast, SysA);
        LacpMember m = bond.RegisterMember("p1", 1);
        Assert.Equal(LacpMemberStatus.Defaulted, m.Status);
        Assert.False(m.SetCarrier(false));
        Assert.Equal(LacpMemberStatus.Defaulted, m.Status);
        Assert.Equal(1u, m.CarrierStatusChanged);
    }

    [Fact]
    public void Malformed_and_marker_frames_are_counted_and_ignored()
    {
        var bond = new LacpBond("b", LacpMode.Active, LacpTime.Fast, SysA);
        LacpMember m = bond.RegisterMember("p1", 1);
        LacpInfo partnerBefore = m.Partner;
        var frame = new byte[LacpPdu.FrameLength];
        LacpPdu.Compose(frame, 1, new LacpInfo(1, SysB, 1, 1, 1, Negotiated), default);

        byte[] bad = (byte[])frame.Clone();
        bad[LacpPdu.ActorTlvOffset + 1] = 19;
        Assert.Equal(LacpParseResult.Malformed, m.ReceiveFrame(bad));
        byte[] marker = (byte[])frame.Clone();
        marker[LacpPdu.SubtypeOffset] = LacpPdu.SubtypeMarker;
        Assert.Equal(LacpParseResult.Marker, m.ReceiveFrame(marker));
        byte[] other = (byte[])frame.Clone();
        other[12] = 0x08;
        other[13] = 0x00;
        Assert.Equal(LacpParseResult.NotSlowProtocol, m.ReceiveFrame(other));

        Assert.Equal(2u, m.RxPdus);
        Assert.Equal(1u, m.RxBadPdus);
        Assert.Equal(1u, m.RxMarkerPdus);
        Assert.Equal(LacpMemberStatus.Expired, m.Status);
        Assert.Equal(partnerBefore, m.Partner);

        Assert.Equal(LacpParseResult.Lacp, m.ReceiveFrame(frame));
        Assert.Equal(3u, m.RxPdus);
        Assert.Equal(LacpMemberStatus.Current, m.Status);
        Assert.Equal(SysB, m.Partner.SystemId);
    }

    [Fact]
    public void Needs_transmit_now_tracks_what_the_partner_echoed()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Pump([l0, l1], wires);
        LacpMember l0a = M(l0, "l0a");
        Assert.False(l0a.NeedsTransmitNow);

        // Collecting/Distributing/Defaulted/Expired differences do not need a transmission…
        LacpInfo echo = l0.ActorInfo(l0a);
        l0a.Receive(l0a.Partner, echo with { State = echo.State ^ LacpStateFlags.Collecting ^ LacpStateFlags.Expired });
        Assert.False(l0a.NeedsTransmitNow);

        // …but port, priorities, key, system and the ACT/TIME/SYNC/AGG bits do.
        foreach (LacpInfo stale in new[]
        {
            echo with { PortId = 9 }, echo with { PortPriority = 1 }, echo with { Key = 7 },
            echo with { SystemPriority = 1 }, echo with { SystemId = SysB },
            echo with { State = echo.State ^ LacpStateFlags.Activity }, echo with { State = echo.State ^ LacpStateFlags.Timeout },
            echo with { State = echo.State ^ LacpStateFlags.Synchronization }, echo with { State = echo.State ^ LacpStateFlags.Aggregation },
        })
        {
            l0a.Receive(l0a.Partner, stale);
            Assert.True(l0a.NeedsTransmitNow);
        }

        var buffer = new byte[LacpPdu.FrameLength];
        uint tx = l0a.TxPdus;
        l0.ComposePdu(l0a, buffer, 1);
        Assert.Equal(tx + 1, l0a.TxPdus);
        Assert.False(l0a.NeedsTransmitNow);
        Assert.Equal(LacpParseResult.Lacp, LacpPdu.TryParse(buffer, out LacpInfo sentActor, out LacpInfo sentPartner));
        Assert.Equal(l0.ActorInfo(l0a), sentActor);
        Assert.Equal(l0a.Partner, sentPartner);

        l0.RegisterMember("l0a", 1, portPriority: 100); // reconfiguration: the partner's echo is stale again
        Assert.True(l0a.NeedsTransmitNow);
        Assert.Equal(LacpMemberStatus.Expired, l0a.Status);
    }

    [Fact]
    public void Defaults_for_system_priority_and_aggregation_key()
    {
        var bond = new LacpBond("b", LacpMode.Active, LacpTime.Slow, SysA);
        Assert.Equal(65535, bond.SystemPriority);
        Assert.Null(bond.KeyMember);
        bond.RegisterMember("p5", 5);
        Assert.Equal(65535, bond.SystemPriority); // single interface
        Assert.Equal(5, bond.AggregationKey);
        bond.RegisterMember("p3", 3);
        Assert.Equal(65534, bond.SystemPriority); // multi-interface port prefers bonding
        Assert.Equal(5, bond.AggregationKey);    // still the first member's port id
        Assert.All(bond.Members, m => Assert.Equal(5, bond.ActorInfo(m).Key));
        Assert.True(bond.UnregisterMember("p5"));
        Assert.Equal(3, bond.AggregationKey);
        Assert.False(bond.UnregisterMember("p5"));

        bond.Configure(LacpMode.Active, LacpTime.Slow, SysA, systemPriority: 7);
        Assert.Equal(7, bond.SystemPriority);
        bond.RegisterMember("p3", 3, key: 42);
        Assert.Equal(42, bond.AggregationKey);
        Assert.Throws<ArgumentException>(() => bond.Configure(LacpMode.Active, LacpTime.Slow, 0));
        Assert.Throws<ArgumentException>(() => new LacpBond("z", LacpMode.Active, LacpTime.Slow, 0));
    }

    [Fact]
    public void Single_member_bond_has_no_aggregation_bit()
    {
        var bond = new LacpBond("b", LacpMode.Passive, LacpTime.Slow, SysA);
        LacpMember m = bond.RegisterMember("p1", 1);
        Assert.Equal(LacpStateFlags.Defaulted | LacpStateFlags.Collecting | LacpStateFlags.Distributing, bond.ActorInfo(m).State);
    }

    [Fact]
    public void Mode_off_behaves_as_no_lacp_object()
    {
        var bond = new LacpBond("b", LacpMode.Off, LacpTime.Slow, SysA);
        LacpMember m = bond.RegisterMember("p1", 1);
        bond.UpdateAttached();
        Assert.Equal(LacpStatus.Off, bond.Status);
        Assert.Equal("off", bond.Status.ToOvsString());
        Assert.True(bond.MayEnable(m));
        Assert.False(bond.ShouldTransmit(m));
        Assert.Equal("configured", LacpStatus.Configured.ToOvsString());
        Assert.Equal("negotiated", LacpStatus.Negotiated.ToOvsString());
    }

    [Fact]
    public void Members_of_another_bond_are_rejected()
    {
        var a = new LacpBond("a", LacpMode.Active, LacpTime.Slow, SysA);
        var b = new LacpBond("b", LacpMode.Active, LacpTime.Slow, SysB);
        LacpMember m = b.RegisterMember("p1", 1);
        Assert.Throws<ArgumentException>(() => a.ActorInfo(m));
    }

    private const string ExpectedShow =
        """
        ---- bond-l0 ----
          status: active negotiated
          sys_id: aa:66:aa:66:00:00
          sys_priority: 65534
          aggregation key: 1
          lacp_time: fast

        member: l0a: current attached
          port_id: 1
          port_priority: 65535
          may_enable: true

          actor sys_id: aa:66:aa:66:00:00
          actor sys_priority: 65534
          actor port_id: 1
          actor port_priority: 65535
          actor key: 1
          actor state: activity timeout aggregation synchronized collecting distributing

          partner sys_id: aa:77:aa:77:00:00
          partner sys_priority: 65534
          partner port_id: 1
          partner port_priority: 65535
          partner key: 2
          partner state: activity timeout aggregation synchronized collecting distributing

        member: l0b: current attached
          port_id: 2
          port_priority: 65535
          may_enable: true

          actor sys_id: aa:66:aa:66:00:00
          actor sys_priority: 65534
          actor port_id: 2
          actor port_priority: 65535
          actor key: 1
          actor state: activity timeout aggregation synchronized collecting distributing

          partner sys_id: aa:77:aa:77:00:00
          partner sys_priority: 65534
          partner port_id: 2
          partner port_priority: 65535
          partner key: 2
          partner state: activity timeout aggregation synchronized collecting distributing

        """;

    [Fact]
    public void Show_of_a_negotiated_pair_matches_the_ovs_example()
    {
        (LacpBond l0, LacpBond l1, var wires) = ExamplePair();
        Pump([l0, l1], wires);
        Assert.Equal(ExpectedShow.ReplaceLineEndings("\n"), LacpFormatter.Show(l0));
    }

    [Fact]
    public void Show_stats_of_a_negotiated_pair()
    {
        // Register l0b first: members are printed sorted by name, not in registration order.
        var l0 = new LacpBond("bond-l0", LacpMode.Active, LacpTime.Fast, SysA);
        var l1 = new LacpBond("bond-l1", LacpMode.Active, LacpTime.Fast, SysB);
        LacpMember l0b = l0.RegisterMember("l0b", 2);
        LacpMember l0a = l0.RegisterMember("l0a", 1);
        LacpMember l1a = l1.RegisterMember("l1a", 1);
        LacpMember l1b = l1.RegisterMember("l1b", 2);
        Pump([l0, l1], [(l0a, l1a), (l0b, l1b)]);
        l0a.ReceiveMarker();
        l0b.ReceiveMalformed();

        string expected =
            $"""
            ---- bond-l0 statistics ----

            member: l0a:
              TX PDUs: {l0a.TxPdus}
              RX PDUs: {l0a.RxPdus}
              RX Bad PDUs: 0
              RX Marker Request PDUs: 1
              Link Expired: 0
              Link Defaulted: 0
              Carrier Status Changed: 0

            member: l0b:
              TX PDUs: {l0b.TxPdus}
              RX PDUs: {l0b.RxPdus}
              RX Bad PDUs: 1
              RX Marker Request PDUs: 0
              Link Expired: 0
              Link Defaulted: 0
              Carrier Status Changed: 0

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), LacpFormatter.ShowStats(l0));
        Assert.Equal(l1a.TxPdus + 1, l0a.RxPdus); // every PDU l1a sent arrived, plus the marker
        Assert.Equal(l1b.TxPdus + 1, l0b.RxPdus);
        Assert.True(l0a.TxPdus >= 2); // the first (timer) PDU and at least one triggered by a state change
    }

    [Fact]
    public void Show_of_a_fresh_passive_bond()
    {
        var bond = new LacpBond("bond-p", LacpMode.Passive, LacpTime.Slow, SysA);
        Assert.Contains("  aggregation key: none\n", LacpFormatter.Show(bond));
        bond.RegisterMember("p1", 7);
        bond.UpdateAttached();
        string expected =
            """
            ---- bond-p ----
              status: passive
              sys_id: aa:66:aa:66:00:00
              sys_priority: 65535
              aggregation key: 7
              lacp_time: slow

            member: p1: defaulted detached
              port_id: 7
              port_priority: 65535
              may_enable: false

              actor sys_id: aa:66:aa:66:00:00
              actor sys_priority: 65535
              actor port_id: 7
              actor port_priority: 65535
              actor key: 7
              actor state: collecting distributing defaulted

              partner sys_id: 00:00:00:00:00:00
              partner sys_priority: 0
              partner port_id: 0
              partner port_priority: 0
              partner key: 0
              partner state:

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), LacpFormatter.Show(bond));
        Assert.Equal(" activity timeout aggregation synchronized collecting distributing defaulted expired",
            LacpFormatter.FormatState((LacpStateFlags)0xff));
    }
}
