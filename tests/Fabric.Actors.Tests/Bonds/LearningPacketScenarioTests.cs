using System.Buffers.Binary;
using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Bonds;
using static Fabric.Actors.Tests.Bonds.BondFrames;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>
/// Gratuitous learning RARPs on failover (ovs-facts §1.7): one per MAC learned on another port of the bridge, on the
/// member that MAC's traffic now leaves by, tagged with the entry's VLAN, none for MACs learned on the bond.
/// </summary>
public sealed class LearningPacketScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001; // p1, untagged: VLAN 0
    private const ulong H2 = 0x0200_0000_0002; // p1, tagged 10
    private const ulong H3 = 0x0200_0000_0003; // p2, access port of VLAN 20
    private const ulong Behind = 0x0200_0000_00b0; // behind the bond (learned on bond0)

    [Fact]
    public void A_failover_sends_one_rarp_per_mac_learned_elsewhere_on_the_new_active_member_tagged_with_its_vlan()
    {
        using var s = new BondScenario(hostPort: (i, p) => i == 2 ? p with { Mode = VlanMode.Access, Tag = 20 } : p);
        Assert.Equal("m1", s.Status().ActiveMember);
        LearnMacs(s);
        var sentBefore = s.Status().LearningPacketsSent;
        s.ClearSent();

        s.Members[0].SetCarrier(false);
        s.NextPoll();
        Assert.Equal("m2", s.Status().ActiveMember);
        s.Flush();

        Assert.Empty(BondScenario.TakeSent(s.Members[0]));
        var rarps = BondScenario.TakeSent(s.Members[1]);
        Assert.All(rarps, f => Assert.True(IsRarp(f)));
        Assert.Equal([H1, H2, H3], rarps.Select(Source).Order().ToArray());
        AssertRarp(rarps.Single(f => Source(f) == H1), H1, vlan: 0);
        AssertRarp(rarps.Single(f => Source(f) == H2), H2, vlan: 10);
        AssertRarp(rarps.Single(f => Source(f) == H3), H3, vlan: 20);
        Assert.Equal(sentBefore + 3, s.Status().LearningPacketsSent);

        // Host ports get nothing: the packets are sent on the member, not flooded.
        Assert.Empty(BondScenario.TakeSent(s.Hosts[0]));
        Assert.Empty(BondScenario.TakeSent(s.Hosts[1]));
    }

    [Fact]
    public void In_balance_slb_each_rarp_leaves_on_the_member_of_its_macs_bucket()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb }, members: 3, hostPort: (i, p) => i == 2 ? p with { Mode = VlanMode.Access, Tag = 20 } : p);
        LearnMacs(s);
        s.ClearSent();

        // m3 goes down: its buckets move to m1 and m2, and learning packets go out for every learned MAC.
        s.Members[2].SetCarrier(false);
        s.NextPoll();
        s.Flush();

        var map = s.Map;
        Assert.DoesNotContain(s.MemberDp(3), map.Outputs.ToArray());
        var rarps = Enumerable.Range(1, 3).SelectMany(i => BondScenario.TakeSent(s.Members[i - 1]).Where(IsRarp).Select(f => (Member: i, Frame: f))).ToList();
        Assert.Equal([H1, H2, H3], rarps.Select(r => Source(r.Frame)).Order().ToArray()); // one each, none for Behind
        foreach (var (mac, vlan) in new[] { (H1, 0), (H2, 10), (H3, 20) })
        {
            var expected = s.MemberIndexOf(map.OutputOf(BondHash.Bucket(BondHash.SlbHash(mac, vlan, 0))));
            var (member, frame) = rarps.Single(r => Source(r.Frame) == mac);
            Assert.Equal(expected, member);
            Assert.NotEqual(3, member);
            AssertRarp(frame, mac, vlan);
        }
    }

    /// <summary>Learns H1 (VLAN 0) and H2 (VLAN 10) on p1, H3 (VLAN 20) on p2, and Behind (VLAN 0) on the bond.</summary>
    private static void LearnMacs(BondScenario s)
    {
        s.Send(s.Hosts[0], Udp(H1, Broadcast));
        s.Send(s.Hosts[0], Udp(H2, Broadcast, size: 64, vlan: 10));
        s.Send(s.Hosts[1], Udp(H3, Broadcast));
        var active = s.MemberIndexOf(s.Map.ActiveMember);
        s.Send(s.Members[active - 1], Udp(Behind, H1));
        s.AwaitAssert(() =>
        {
            var fdb = s.Bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5)).Result;
            Assert.Contains(fdb.Entries, e => e.Mac == H1 && e.Vlan == 0 && e.OfPort == 1);
            Assert.Contains(fdb.Entries, e => e.Mac == H2 && e.Vlan == 10 && e.OfPort == 1);
            Assert.Contains(fdb.Entries, e => e.Mac == H3 && e.Vlan == 20 && e.OfPort == 2);
            Assert.Contains(fdb.Entries, e => e.Mac == Behind && e.Vlan == 0 && e.OfPort == s.BondOfPort);
        });
    }

    /// <summary>Checks the bytes of an OVS compose_rarp frame (+ 802.1Q tag when <paramref name="vlan"/> ≠ 0).</summary>
    private static void AssertRarp(byte[] f, ulong mac, int vlan)
    {
        Assert.Equal(Broadcast, Destination(f));
        Assert.Equal(mac, Source(f));
        var off = 12;
        if (vlan != 0)
        {
            Assert.Equal(64, f.Length);
            Assert.Equal(0x8100, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)));
            Assert.Equal(vlan, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(14))); // PCP 0, CFI 0, VID
            off = 16;
        }
        else
        {
            Assert.Equal(60, f.Length);
        }

        Assert.Equal(0x8035, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(off)));
        var arp = f.AsSpan(off + 2);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(arp)); // Ethernet
        Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(arp[2..])); // IPv4
        Assert.Equal((6, 4), (arp[4], arp[5]));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(arp[6..])); // RARP request
        Assert.Equal(mac, ReadMac(arp[8..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(arp[14..]));
        Assert.Equal(mac, ReadMac(arp[18..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(arp[24..]));
    }

    private static ulong ReadMac(ReadOnlySpan<byte> s)
    {
        ulong mac = 0;
        for (var i = 0; i < 6; i++)
        {
            mac = (mac << 8) | s[i];
        }

        return mac;
    }
}
