using Fabric.Actors.Bridge;
using Fabric.Actors.Normal;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Tests.Normal;

/// <summary>
/// NORMAL on a bridge with VXLAN tunnel ports (DESIGN "Cluster": a full mesh floods with split horizon): a frame from a
/// tunnel reaches local ports only, never another tunnel; local frames flood to every tunnel; MACs behind a tunnel are
/// learned on it.
/// </summary>
public sealed class SplitHorizonTests
{
    private const ulong Local1 = 0x5054_0000_0001;
    private const ulong Remote2 = 0x5054_0000_0002;
    private const ulong Remote3 = 0x5054_0000_0003;
    private const ulong Unknown = 0x5054_0000_0009;
    private const ulong Broadcast = 0xffff_ffff_ffff;

    // Two local ports (1, 2), two tunnels to other nodes (3, 4); ofport = dp port.
    private static readonly BridgeSettings Settings = new()
    {
        Name = "br0",
        Ports =
        [
            new BridgePort { Name = "p1", OfPort = 1, DpPort = 1 },
            new BridgePort { Name = "p2", OfPort = 2, DpPort = 2, Type = "tap" },
            new BridgePort { Name = "vx-n2", OfPort = 3, DpPort = 3, Type = "vxlan" },
            new BridgePort { Name = "vx-n3", OfPort = 4, DpPort = 4, Type = "vxlan" },
        ],
    };

    private readonly NormalTranslator _normal = new(Settings);
    private readonly MacLearningTable _macs = new();

    [Fact]
    public void A_broadcast_from_a_tunnel_floods_to_the_local_ports_only()
    {
        XlateResult r = Upcall(FlowKey.Create(3, Remote2, Broadcast, 0x0806));

        Assert.Equal("1,2", r.Actions.ToString());
        Assert.Equal("no learned MAC for destination, flooding", r.Reason);
    }

    [Fact]
    public void Unknown_unicast_from_a_tunnel_floods_to_the_local_ports_only()
    {
        Assert.Equal("1,2", Upcall(FlowKey.Create(4, Remote3, Unknown, 0x0800)).Actions.ToString());
    }

    [Fact]
    public void A_local_broadcast_floods_to_every_tunnel_and_the_other_local_ports()
    {
        Assert.Equal("2,3,4", Upcall(FlowKey.Create(1, Local1, Broadcast, 0x0806)).Actions.ToString());
    }

    [Fact]
    public void Macs_behind_a_tunnel_are_learned_on_it_and_local_frames_go_straight_there()
    {
        Upcall(FlowKey.Create(3, Remote2, Broadcast, 0x0806));
        Assert.Equal(3, _macs.Lookup(0, Remote2));

        XlateResult r = Upcall(FlowKey.Create(1, Local1, Remote2, 0x0800));

        Assert.Equal("3", r.Actions.ToString());
        Assert.Equal("forwarding to learned port", r.Reason);
    }

    [Fact]
    public void A_frame_from_one_tunnel_to_a_mac_learned_on_another_is_dropped()
    {
        Upcall(FlowKey.Create(3, Remote2, Broadcast, 0x0806));

        XlateResult r = Upcall(FlowKey.Create(4, Remote3, Remote2, 0x0800));

        Assert.True(r.Actions.IsDrop);
        Assert.Equal("learned port is a tunnel and so is the input port (split horizon), dropping", r.Reason);
        Assert.Equal(4, r.LearnOfPort);
    }

    [Fact]
    public void A_frame_from_a_tunnel_to_a_local_mac_goes_to_that_port()
    {
        Upcall(FlowKey.Create(2, Local1, Broadcast, 0x0806));

        Assert.Equal("2", Upcall(FlowKey.Create(4, Remote3, Local1, 0x0800)).Actions.ToString());
    }

    [Fact]
    public void Only_vxlan_ports_are_tunnels()
    {
        Assert.Equal([false, false, true, true], Settings.Ports.Select(p => p.IsTunnel));
    }

    private XlateResult Upcall(FlowKey key)
    {
        XlateResult r = _normal.Translate(key, _macs.View);
        if (r.LearnOfPort >= 0)
        {
            _macs.Learn(r.Vlan, key.DlSrc, r.LearnOfPort, 0);
        }

        return r;
    }
}
