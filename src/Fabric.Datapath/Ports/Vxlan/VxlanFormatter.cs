using System.Globalization;
using System.Text;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Ports.Vxlan;

/// <summary>
/// How <c>dpctl/dump-flows</c> shows VXLAN encapsulation and decapsulation, in Open vSwitch's userspace (native
/// tunnelling) syntax (<c>lib/odp-util.c</c> format_odp_tnl_push_action; OVS's tests/tunnel-push-pop.at shows the
/// lines):
/// <list type="bullet">
/// <item>an output to a tunnel port is <c>tnl_push(tnl_port(T),header(size=50,type=4,eth(dl_type=0x0800),ipv4(src=LOCAL,dst=REMOTE,proto=17,tos=0,ttl=64,frag=0x0),udp(src=4789,dst=4789,csum=0xffff),vxlan(flags=0x8000000,vni=0xV)),out_port(E))</c>,
/// T being the tunnel's datapath port and E its endpoint's;</item>
/// <item>the key of a megaflow whose in_port is a tunnel starts with what that in_port stands for,
/// <c>tunnel(tun_id=0xV,src=REMOTE,dst=LOCAL,flags(+key)),</c>;</item>
/// <item>each attached tunnel adds a decapsulation row, <c>recirc_id(0),in_port(E),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(src=REMOTE,dst=LOCAL,proto=17),udp(dst=4789),vxlan(vni=0xV), packets:N, bytes:N, used:…, actions:tnl_pop(T)</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>
/// Where this differs from OVS, and why: OVS builds the whole outer header itself and sends it out of an underlay
/// bridge port; Fabric writes only the VXLAN header and the kernel's UDP socket does the rest, so
/// <list type="bullet">
/// <item><c>eth()</c> has no addresses: the kernel picks the next hop's MAC per packet from its neighbour table (OVS
/// prints the ones its own ARP cache resolved);</item>
/// <item><c>frag=0x0</c>: DF is never set, the kernel fragments a datagram larger than the path MTU (OVS sets DF,
/// <c>frag=0x4000</c>, by default);</item>
/// <item><c>udp(src=4789)</c>: every datagram leaves from the bound port (OVS prints 0, a per-flow hash filled in per
/// packet as RFC 7348 §5 recommends for ECMP entropy); <c>csum=0xffff</c>: the kernel computes the UDP checksum, which
/// is what OVS prints for <c>options:csum=true</c> (its default is 0, no checksum);</item>
/// <item><c>out_port(E)</c> is the endpoint's own datapath port (the socket), where OVS names the underlay bridge's
/// port and then outputs to the physical port after it; and there is no <c>clone()</c> around the action, since every
/// output of a Fabric action list gets its own copy of the frame anyway;</item>
/// <item><c>tnl_port</c>, <c>tnl_pop</c> and the in_port after decapsulation are the tunnel's own datapath port: OVS
/// has one <c>vxlan_sys_4789</c> port for all its VXLAN tunnels and tells them apart by the tunnel metadata, Fabric
/// gives each (remote, VNI) a port, and the endpoint demultiplexes.</item>
/// </list>
/// The decapsulation row is not a megaflow (the endpoint demultiplexes in code, nothing is looked up): it reports the
/// tunnel's counters: packets are the datagrams delivered, bytes those of the outer frames as they were on an Ethernet
/// underlay without IP options before any fragmentation (each inner frame + 50), used the last delivery. Its match
/// has no <c>frag=</c>, because the kernel reassembles fragments before the endpoint sees them, and has
/// <c>vxlan(vni=…)</c>, which OVS's syntax lacks, because the row is per VNI.
/// </para>
/// <para>Not on the per-packet path (allocates).</para>
/// </remarks>
public static class VxlanFormatter
{
    /// <summary>
    /// Bytes of encapsulation per datagram on an Ethernet underlay: Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8
    /// (<c>header(size=50)</c>).
    /// </summary>
    public const int EncapsulationBytes = 50;

    /// <summary>OVS's vport type number for VXLAN (OVS_VPORT_TYPE_VXLAN), the <c>type=</c> of <c>header()</c>.</summary>
    public const int OvsVportTypeVxlan = 4;

    /// <summary>The <c>tnl_push(…)</c> action for output to <paramref name="tunnel"/>, datapath port <paramref name="tunnelPortNo"/>, whose endpoint is datapath port <paramref name="endpointPortNo"/> (0 when it is not in the datapath).</summary>
    public static string TunnelPush(VxlanTunnelPort tunnel, ushort tunnelPortNo, ushort endpointPortNo)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        VxlanEndpoint e = tunnel.Endpoint;
        var sb = new StringBuilder(256);
        sb.Append(CultureInfo.InvariantCulture, $"tnl_push(tnl_port({tunnelPortNo}),header(size={EncapsulationBytes},type={OvsVportTypeVxlan},eth(dl_type=0x0800),");
        sb.Append(CultureInfo.InvariantCulture, $"ipv4(src={FlowFormatter.FormatIpv4(e.LocalAddress)},dst={FlowFormatter.FormatIpv4(tunnel.RemoteAddress)},proto=17,tos=0,ttl={VxlanEndpoint.OuterTtl},frag=0x0),");
        sb.Append(CultureInfo.InvariantCulture, $"udp(src={e.UdpPort},dst={e.UdpPort},csum=0xffff),");
        sb.Append(CultureInfo.InvariantCulture, $"vxlan(flags=0x{(uint)VxlanHeader.FlagI << 24:x},vni=0x{tunnel.Vni:x})),out_port({endpointPortNo}))");
        return sb.ToString();
    }

    /// <summary>The <c>tunnel(…)</c> attribute printed before the key of a megaflow whose in_port is <paramref name="tunnel"/>'s port (without a trailing comma).</summary>
    public static string TunnelMatch(VxlanTunnelPort tunnel)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"tunnel(tun_id=0x{tunnel.Vni:x},src={FlowFormatter.FormatIpv4(tunnel.RemoteAddress)},dst={FlowFormatter.FormatIpv4(tunnel.Endpoint.LocalAddress)},flags(+key))");
    }

    /// <summary>
    /// The decapsulation row of <paramref name="tunnel"/> (attached as datapath port <paramref name="tunnelPortNo"/>, its
    /// endpoint being <paramref name="endpointPortNo"/>), with <c>used</c> measured from <paramref name="nowTicks"/>
    /// (<see cref="Environment.TickCount64"/>, ms).
    /// </summary>
    public static string PopFlow(VxlanTunnelPort tunnel, ushort tunnelPortNo, ushort endpointPortNo, long nowTicks)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        VxlanEndpoint e = tunnel.Endpoint;
        long packets = tunnel.Counters.RxPackets;
        long bytes = tunnel.Counters.RxBytes + (EncapsulationBytes * packets);
        long last = tunnel.LastReceivedTicks;
        string used = last == 0 ? "never" : (Math.Max(0, nowTicks - last) / 1000.0).ToString("0.000", CultureInfo.InvariantCulture) + "s";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"recirc_id(0),in_port({endpointPortNo}),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(src={FlowFormatter.FormatIpv4(tunnel.RemoteAddress)},dst={FlowFormatter.FormatIpv4(e.LocalAddress)},proto=17),udp(dst={e.UdpPort}),vxlan(vni=0x{tunnel.Vni:x}), packets:{packets}, bytes:{bytes}, used:{used}, actions:tnl_pop({tunnelPortNo})");
    }

    /// <summary>
    /// Every decapsulation row of the endpoints among <paramref name="ports"/> (a datapath's port snapshot): one per
    /// attached tunnel, ordered by endpoint port and then tunnel port.
    /// </summary>
    public static IReadOnlyList<string> PopFlows(IReadOnlyDictionary<ushort, IDatapathPort> ports, long nowTicks)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var rows = new List<(ushort Endpoint, ushort Tunnel, string Text)>();
        foreach (KeyValuePair<ushort, IDatapathPort> kv in ports)
        {
            if (kv.Value is not VxlanEndpoint endpoint)
            {
                continue;
            }

            foreach (VxlanTunnelPort t in endpoint.Tunnels)
            {
                ushort no = t.DatapathPort;
                if (no != 0)
                {
                    rows.Add((kv.Key, no, PopFlow(t, no, kv.Key, nowTicks)));
                }
            }
        }

        rows.Sort(static (a, b) => a.Endpoint != b.Endpoint ? a.Endpoint.CompareTo(b.Endpoint) : a.Tunnel.CompareTo(b.Tunnel));
        var text = new string[rows.Count];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = rows[i].Text;
        }

        return text;
    }

    /// <summary>The datapath number of <paramref name="port"/> in <paramref name="ports"/>, or 0 when it is not there.</summary>
    public static ushort PortNumberOf(IReadOnlyDictionary<ushort, IDatapathPort> ports, IDatapathPort port)
    {
        ArgumentNullException.ThrowIfNull(ports);
        foreach (KeyValuePair<ushort, IDatapathPort> kv in ports)
        {
            if (ReferenceEquals(kv.Value, port))
            {
                return kv.Key;
            }
        }

        return 0;
    }
}
