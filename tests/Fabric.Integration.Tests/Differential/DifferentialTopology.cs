using Fabric.Actors.Bridge;

namespace Fabric.Integration.Tests.Differential;

/// <summary>A non-bond port of the differential bridge and its VLAN configuration (ovs-facts §2.3).</summary>
/// <param name="Name">Interface name (a netdev-dummy device on the OVS side).</param>
/// <param name="OfPort">OpenFlow port number (OVS <c>ofport_request</c>).</param>
/// <param name="Mode">VLAN mode.</param>
/// <param name="Tag">Access or native VLAN.</param>
/// <param name="Trunks">Trunked VLANs; empty = all.</param>
public sealed record HostPortSpec(string Name, int OfPort, VlanMode Mode, int? Tag, int[] Trunks)
{
    /// <summary>The Port columns for <c>ovs-vsctl add-port BR NAME COLUMNS…</c>.</summary>
    public IEnumerable<string> OvsColumns()
    {
        if (Tag is { } tag)
        {
            yield return $"tag={tag}";
        }

        if (Trunks.Length > 0)
        {
            yield return $"trunks={string.Join(',', Trunks)}";
        }

        switch (Mode)
        {
            case VlanMode.NativeTagged:
                yield return "vlan_mode=native-tagged";
                break;
            case VlanMode.NativeUntagged:
                yield return "vlan_mode=native-untagged";
                break;
        }
    }

    /// <summary>The same port as Fabric's NORMAL sees it.</summary>
    public BridgePort ToBridgePort(ushort dpPort) => new()
    {
        Name = Name,
        OfPort = OfPort,
        DpPort = dpPort,
        Type = "dummy",
        Mode = Mode,
        Tag = Tag,
        Trunks = new HashSet<int>(Trunks),
    };
}

/// <summary>A MAC table entry preloaded on both sides (OVS <c>fdb/add</c>, a static entry; Fabric's table view).</summary>
/// <param name="Port">The port name it is on (the bridge's own name for the internal port, <see cref="DifferentialTopology.Bond"/> for the bond).</param>
/// <param name="Vlan">VLAN.</param>
/// <param name="Mac">48-bit MAC.</param>
public sealed record StaticMac(string Port, int Vlan, ulong Mac);

/// <summary>
/// The bridge both switches are given: its internal port, five host ports covering the VLAN modes (access 10,
/// access 20, a trunk of 10 and 20, an all-VLAN trunk with untagged hosts, native-untagged 20 trunking 10), a
/// two-member bond trunking every VLAN, and the MAC table entries preloaded on both sides.
/// </summary>
public static class DifferentialTopology
{
    /// <summary>The bridge under test (also its internal port's name).</summary>
    public const string Bridge = "dfb0";

    /// <summary>The LACP partner bridge (negotiated scenario only; fail-mode secure, it forwards nothing).</summary>
    public const string PartnerBridge = "dfb1";

    /// <summary>The bond port.</summary>
    public const string Bond = "bond0";

    /// <summary>The bond's id on the Fabric side (what its lb_output actions name).</summary>
    public const ushort BondId = 1;

    /// <summary>OpenFlow number of the internal port (OFPP_LOCAL).</summary>
    public const int LocalOfPort = 65534;

    /// <summary>Fabric's OpenFlow number for the bond port (its first member's, as OVS's fdb/show prints it).</summary>
    public const int BondOfPort = 11;

    /// <summary>The bond members, in order: (name, OpenFlow port). The first is made the active one where OVS allows it.</summary>
    public static readonly IReadOnlyList<(string Name, int OfPort)> Members = [("m1", 11), ("m2", 12)];

    /// <summary>The host ports.</summary>
    public static readonly IReadOnlyList<HostPortSpec> HostPorts =
    [
        new("p1", 1, VlanMode.Access, 10, []),
        new("p2", 2, VlanMode.Access, 20, []),
        new("p3", 3, VlanMode.Trunk, null, [10, 20]),
        new("p4", 4, VlanMode.Trunk, null, []),
        new("p5", 5, VlanMode.NativeUntagged, 20, [10, 20]),
    ];

    /// <summary>
    /// The preloaded MAC table. 02:00:00:00:0d:01 is on p1 in VLAN 10 and on the bond in VLAN 20, so frames from it
    /// through the bond are "looped back" in one VLAN and legitimate in the other.
    /// </summary>
    public static readonly IReadOnlyList<StaticMac> Macs =
    [
        new("p1", 10, 0x02_00_00_00_01_01),
        new("p2", 20, 0x02_00_00_00_02_01),
        new("p3", 10, 0x02_00_00_00_03_0a),
        new("p3", 20, 0x02_00_00_00_03_14),
        new("p4", 0, 0x02_00_00_00_04_01),
        new("p5", 20, 0x02_00_00_00_05_14),
        new("p5", 10, 0x02_00_00_00_05_0a),
        new(Bridge, 0, 0x02_00_00_00_0f_01),
        new(Bond, 0, 0x02_00_00_00_0b_00),
        new(Bond, 10, 0x02_00_00_00_0b_0a),
        new(Bond, 20, 0x02_00_00_00_0b_14),
        new("p1", 10, 0x02_00_00_00_0d_01),
        new(Bond, 20, 0x02_00_00_00_0d_01),
    ];

    /// <summary>Every port name frames can arrive on: the internal port, the host ports and the bond members.</summary>
    public static IEnumerable<string> InputPorts =>
        new[] { Bridge }.Concat(HostPorts.Select(p => p.Name)).Concat(Members.Select(m => m.Name));

    /// <summary>The OpenFlow port number of an input port name, as <c>ofproto/trace</c>'s <c>in_port=</c> takes it.</summary>
    public static string OvsInPort(string name) =>
        name == Bridge ? "LOCAL" : (HostPorts.FirstOrDefault(p => p.Name == name)?.OfPort ?? Members.First(m => m.Name == name).OfPort).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="name"/> is a bond member.</summary>
    public static bool IsMember(string name) => Members.Any(m => m.Name == name);
}
