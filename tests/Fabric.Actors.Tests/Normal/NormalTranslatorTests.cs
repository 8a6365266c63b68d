using Fabric.Actors.Bridge;
using Fabric.Actors.Normal;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Tests.Normal;

public sealed class NormalTranslatorTests
{
    private const ulong H1 = 0x5054_0000_0001;
    private const ulong H2 = 0x5054_0000_0002;
    private const ulong H9 = 0x5054_0000_0009;
    private const ulong Broadcast = 0xffff_ffff_ffff;

    // ofport = dp port: 1, 2, 3 trunks (all VLANs), 4 access VLAN 10, 5 access VLAN 20, 6 native-untagged 10 + trunk 20.
    private static readonly BridgeSettings Settings = new()
    {
        Name = "br0",
        Ports =
        [
            new BridgePort { Name = "p1", OfPort = 1, DpPort = 1 },
            new BridgePort { Name = "p2", OfPort = 2, DpPort = 2 },
            new BridgePort { Name = "p3", OfPort = 3, DpPort = 3 },
            new BridgePort { Name = "p4", OfPort = 4, DpPort = 4, Mode = VlanMode.Access, Tag = 10 },
            new BridgePort { Name = "p5", OfPort = 5, DpPort = 5, Mode = VlanMode.Access, Tag = 20 },
            new BridgePort { Name = "p6", OfPort = 6, DpPort = 6, Mode = VlanMode.NativeUntagged, Tag = 10, Trunks = new HashSet<int> { 10, 20 } },
        ],
    };

    private readonly NormalTranslator _normal = new(Settings);
    private readonly MacLearningTable _macs = new();

    private static ushort Tci(int vid, int pcp = 0) => (ushort)(0x1000 | (pcp << 13) | vid);

    /// <summary>Translates against the current table version, then learns what translation asked for, as the bridge actor does.</summary>
    private XlateResult Upcall(FlowKey key, long nowMs = 0)
    {
        var r = _normal.Translate(key, _macs.View);
        if (r.LearnOfPort >= 0)
        {
            _macs.Learn(r.Vlan, key.DlSrc, r.LearnOfPort, nowMs);
        }

        return r;
    }

    [Fact]
    public void Unknown_destination_from_a_trunk_floods_to_every_port_of_the_vlan_translating_tags()
    {
        var key = FlowKey.Create(1, H1, H9, 0x0800, Tci(10));
        var r = Upcall(key, 0);
        Assert.Equal("no learned MAC for destination, flooding", r.Reason);
        Assert.Equal(10, r.Vlan);
        // Trunks keep the tag, the access port gets it popped, the native-untagged port (native 10) untagged.
        Assert.Equal("2,3,pop_vlan,4,6", r.Actions.ToString());
        Assert.Equal(1, r.LearnOfPort);
        Assert.Equal(1, _macs.Lookup(10, H1));
    }

    [Fact]
    public void Access_ingress_is_tagged_towards_trunks_and_kept_out_of_other_vlans()
    {
        var key = FlowKey.Create(4, H1, Broadcast, 0x0806);
        var r = Upcall(key, 0);
        Assert.Equal("push_vlan(vid=10,pcp=0),1,2,3,pop_vlan,6", r.Actions.ToString());
        Assert.DoesNotContain(",5", r.Actions.ToString());
    }

    [Fact]
    public void Learned_destination_goes_out_one_port_and_the_mask_covers_exactly_what_normal_read()
    {
        Upcall(FlowKey.Create(2, H2, Broadcast, 0x0806), 0);
        var key = FlowKey.Create(1, H1, H2, 0x0800);
        var r = Upcall(key, 0);
        Assert.Equal("forwarding to learned port", r.Reason);
        Assert.Equal("2", r.Actions.ToString());

        var expected = default(FlowWildcards);
        expected.UnwildcardInPort();
        expected.UnwildcardDlType();
        expected.UnwildcardDlSrc();
        expected.UnwildcardDlDst();
        expected.UnwildcardVlanTci();
        expected.UnwildcardNwFrag();
        Assert.Equal(expected.ToMask(), r.Mask);
    }

    [Fact]
    public void Non_ip_flows_do_not_match_the_fragment_bits()
    {
        var r = _normal.Translate(FlowKey.Create(1, H1, Broadcast, 0x0806), _macs.View);
        var expected = default(FlowWildcards);
        expected.UnwildcardInPort();
        expected.UnwildcardDlType();
        expected.UnwildcardDlSrc();
        expected.UnwildcardDlDst();
        expected.UnwildcardVlanTci();

        // A broadcast ARP (opcode 0 here): the gratuitous-ARP test reads the opcode, and stops there (OVS is_gratuitous_arp).
        expected.UnwildcardArpOp();
        Assert.Equal(expected.ToMask(), r.Mask);
    }

    [Fact]
    public void Access_port_drops_tagged_frames_even_with_its_own_vid()
    {
        var r = Upcall(FlowKey.Create(4, H1, H2, 0x0800, Tci(10)), 0);
        Assert.True(r.Actions.IsDrop);
        Assert.Equal("disallowed VLAN VID for this input port, dropping", r.Reason);
        Assert.Equal(-1, r.LearnOfPort);
        Assert.Equal(0, _macs.Count);
    }

    [Fact]
    public void Native_untagged_port_rejects_vids_outside_its_trunks_and_maps_untagged_to_native()
    {
        Assert.True(_normal.Translate(FlowKey.Create(6, H1, H2, 0x0800, Tci(30)), _macs.View).Actions.IsDrop);
        var r = _normal.Translate(FlowKey.Create(6, H1, Broadcast, 0x0806), _macs.View);
        Assert.Equal(10, r.Vlan);
        Assert.Equal("push_vlan(vid=10,pcp=0),1,2,3,pop_vlan,4", r.Actions.ToString());
    }

    [Fact]
    public void Learned_on_the_input_port_is_dropped()
    {
        Upcall(FlowKey.Create(1, H2, Broadcast, 0x0806), 0);
        var r = Upcall(FlowKey.Create(1, H1, H2, 0x0800), 0);
        Assert.True(r.Actions.IsDrop);
        Assert.Equal("learned port is input port, dropping", r.Reason);
    }

    [Fact]
    public void Reserved_multicast_is_dropped_and_pcp_is_carried_into_pushed_tags()
    {
        Assert.True(_normal.Translate(FlowKey.Create(1, H1, 0x0180_c200_0000, 0x0027), _macs.View).Actions.IsDrop);
        var r = _normal.Translate(FlowKey.Create(1, H1, Broadcast, 0x0806, Tci(20, pcp: 5)), _macs.View);
        Assert.Equal("2,3,pop_vlan,5,push_vlan(vid=20,pcp=5),6", r.Actions.ToString());
    }

    [Fact]
    public void A_move_is_reported_and_lookups_follow_it()
    {
        Upcall(FlowKey.Create(1, H1, Broadcast, 0x0806), 0);
        var before = _macs.View;
        var r = Upcall(FlowKey.Create(2, H1, Broadcast, 0x0806), 10);
        Assert.Equal(2, r.LearnOfPort);
        Assert.Equal(2, _macs.Lookup(0, H1));

        // The version translated against is immutable: it still has the old port.
        Assert.Equal(1, before.Lookup(0, H1));
        Assert.Equal(2, _macs.View.Lookup(0, H1));
        Assert.True(_macs.View.Version > before.Version);
    }

    [Fact]
    public void A_source_already_known_on_its_port_asks_for_no_learning_and_translation_does_not_change_the_table()
    {
        Upcall(FlowKey.Create(1, H1, Broadcast, 0x0806));
        var version = _macs.Version;
        var r = _normal.Translate(FlowKey.Create(1, H1, Broadcast, 0x0806), _macs.View);
        Assert.Equal(-1, r.LearnOfPort);
        Assert.Equal(-1, _normal.Translate(FlowKey.Create(1, Broadcast, H1, 0x0806), _macs.View).LearnOfPort);
        Assert.Equal(version, _macs.Version);
    }
}
