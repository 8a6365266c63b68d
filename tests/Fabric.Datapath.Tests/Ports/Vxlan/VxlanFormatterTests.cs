using Fabric.Datapath.Actions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Datapath.Tests.Ports.Vxlan;

/// <summary>
/// How dump-flows shows encapsulation (<c>tnl_push</c>), the tunnel a megaflow's packets came from (<c>tunnel(…)</c>)
/// and decapsulation (<c>tnl_pop</c> rows), in OVS's userspace syntax (tests/tunnel-push-pop.at in OVS).
/// </summary>
public sealed class VxlanFormatterTests : IDisposable
{
    private readonly LoopbackVteps _vteps = LoopbackVteps.Open();
    private readonly MemoryPort _local = new("p1");
    private readonly VxlanTunnelPort _tunnel;
    private readonly Dictionary<ushort, IDatapathPort> _ports;

    public VxlanFormatterTests()
    {
        _tunnel = _vteps.A.CreateTunnel("vx1", LoopbackVteps.AddressB, 100);
        _ports = new Dictionary<ushort, IDatapathPort> { [1] = _local, [4] = _vteps.A, [5] = _tunnel };
    }

    private string Push(ushort tunnelNo = 5, ushort endpointNo = 4, string vni = "0x64") =>
        $"tnl_push(tnl_port({tunnelNo}),header(size=50,type=4,eth(dl_type=0x0800),ipv4(src=127.0.0.1,dst=127.0.0.2,proto=17,tos=0,ttl=64,frag=0x0),"
        + $"udp(src={_vteps.Port},dst={_vteps.Port},csum=0xffff),vxlan(flags=0x8000000,vni={vni})),out_port({endpointNo}))";

    public void Dispose()
    {
        _tunnel.Dispose();
        _vteps.Dispose();
        _local.Dispose();
    }

    [Fact]
    public void An_output_to_a_tunnel_port_prints_as_tnl_push_with_the_outer_headers()
    {
        DatapathActions actions = DatapathActions.Create([DatapathAction.PopVlan(), DatapathAction.Output(1), DatapathAction.Output(5)]);

        Assert.Equal("pop_vlan,1," + Push(), actions.ToString(_ports));
    }

    [Fact]
    public void Without_the_port_table_a_tunnel_output_is_a_port_number()
    {
        Assert.Equal("1,5", DatapathActions.OutputTo(1, 5).ToString());
        Assert.Equal("1,5", DatapathActions.OutputTo(1, 5).ToString(new Dictionary<ushort, IDatapathPort> { [1] = _local }));
    }

    [Fact]
    public void The_vni_prints_in_hex_and_a_missing_endpoint_as_port_0()
    {
        using VxlanTunnelPort wide = _vteps.A.CreateTunnel("vx2", LoopbackVteps.AddressB, 0xABCDEF);
        var ports = new Dictionary<ushort, IDatapathPort> { [7] = wide };

        Assert.Equal(Push(7, 0, "0xabcdef"), DatapathActions.OutputTo(7).ToString(ports));
    }

    [Fact]
    public void A_megaflow_from_a_tunnel_starts_with_the_tunnel_it_came_from()
    {
        var table = new MegaflowTable();
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardDlType();
        Megaflow fromTunnel = table.Install(FlowKey.Create(5, 0x0200_0000_0001, 0x0200_0000_0002, 0x0806), wc.ToMask(), DatapathActions.OutputTo(1));
        Megaflow toTunnel = table.Install(FlowKey.Create(1, 0x0200_0000_0002, 0x0200_0000_0001, 0x0806), wc.ToMask(), DatapathActions.OutputTo(5));

        Assert.Equal(
            "tunnel(tun_id=0x64,src=127.0.0.2,dst=127.0.0.1,flags(+key)),recirc_id(0),in_port(5),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0806), packets:0, bytes:0, used:never, actions:1",
            fromTunnel.ToDumpString(0, _ports));
        Assert.Equal(
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=02:00:00:00:00:02,dst=02:00:00:00:00:01),eth_type(0x0806), packets:0, bytes:0, used:never, actions:" + Push(),
            toTunnel.ToDumpString(0, _ports));
        Assert.StartsWith("recirc_id(0),in_port(5),", fromTunnel.ToDumpString(0));
    }

    [Fact]
    public void The_decapsulation_row_counts_what_the_endpoint_delivered_to_the_tunnel()
    {
        using VxlanTunnelPort back = _vteps.B.CreateTunnel("back", LoopbackVteps.AddressA, 100);
        _vteps.A.Attach(_tunnel, 5);
        Assert.Equal(
            $"recirc_id(0),in_port(4),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(src=127.0.0.2,dst=127.0.0.1,proto=17),udp(dst={_vteps.Port}),vxlan(vni=0x64), packets:0, bytes:0, used:never, actions:tnl_pop(5)",
            VxlanFormatter.PopFlow(_tunnel, 5, 4, Environment.TickCount64));

        using var batch = new PacketBatch();
        batch.TryAppend(Support.Frames.Udp64(1, 2, 3, 4, 5, 6));
        batch.TryAppend(new byte[100]);
        Assert.Equal(2, back.Send(batch));
        LoopbackVteps.Collect(_vteps.A, batch, 0, 2);

        // Outer frames: the inner frames (64 and 100 bytes) plus 50 bytes of encapsulation each.
        Assert.Equal(
            $"recirc_id(0),in_port(4),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(src=127.0.0.2,dst=127.0.0.1,proto=17),udp(dst={_vteps.Port}),vxlan(vni=0x64), packets:2, bytes:264, used:1.500s, actions:tnl_pop(5)",
            VxlanFormatter.PopFlow(_tunnel, 5, 4, _tunnel.LastReceivedTicks + 1500));
    }

    [Fact]
    public void Every_attached_tunnel_of_every_endpoint_has_one_row_in_port_order()
    {
        using VxlanTunnelPort second = _vteps.A.CreateTunnel("vx2", LoopbackVteps.AddressB, 200);
        using VxlanTunnelPort detached = _vteps.A.CreateTunnel("vx3", LoopbackVteps.AddressB, 300);
        using VxlanTunnelPort onB = _vteps.B.CreateTunnel("vx4", LoopbackVteps.AddressA, 100);
        _vteps.A.Attach(second, 3);
        _vteps.A.Attach(_tunnel, 5);
        _vteps.B.Attach(onB, 8);
        var ports = new Dictionary<ushort, IDatapathPort>(_ports) { [3] = second, [6] = detached, [2] = _vteps.B, [8] = onB };

        IReadOnlyList<string> rows = VxlanFormatter.PopFlows(ports, Environment.TickCount64);

        Assert.Equal(3, rows.Count);
        Assert.EndsWith("actions:tnl_pop(8)", rows[0]);
        Assert.StartsWith("recirc_id(0),in_port(2),", rows[0]);
        Assert.EndsWith("actions:tnl_pop(3)", rows[1]);
        Assert.Contains("vxlan(vni=0xc8)", rows[1]);
        Assert.EndsWith("actions:tnl_pop(5)", rows[2]);
    }
}
