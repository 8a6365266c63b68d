namespace Fabric.Host.Cli;

/// <summary>One port of a bridge, with its single interface, as <c>fabric ctl show</c> prints it.</summary>
/// <param name="Name">The port (and interface) name.</param>
/// <param name="OfPort">The OpenFlow port number (<c>in_port</c>), printed as <c>ofport: N</c>.</param>
/// <param name="DpPort">The datapath port number used in datapath actions, printed as <c>dp_port: N</c>.</param>
/// <param name="Type">The interface type: <c>system</c> (AF_PACKET; not printed, as OVS omits the default type), <c>tap</c>, <c>vxlan</c>, <c>dummy</c> or <c>internal</c>.</param>
/// <param name="Tag">The access/native VLAN (Port <c>tag</c>, 0–4095), or null when unset.</param>
/// <param name="Trunks">The trunk VLANs (Port <c>trunks</c>); empty means none configured (= all VLANs for a trunk port).</param>
/// <param name="VlanMode">The Port <c>vlan_mode</c> (<c>access</c>, <c>trunk</c>, <c>native-tagged</c>, <c>native-untagged</c>, <c>dot1q-tunnel</c>), or null when unset.</param>
/// <param name="CarrierUp">Whether the link has carrier, printed as <c>link_state: up|down</c>.</param>
public sealed record ShowPort(
    string Name,
    int OfPort,
    int DpPort,
    string Type,
    int? Tag,
    IReadOnlyList<int> Trunks,
    string? VlanMode,
    bool CarrierUp)
{
    /// <summary>For a bond: its interfaces (name, datapath port, link up), each printed as its own <c>Interface</c>; empty otherwise.</summary>
    public IReadOnlyList<ShowInterface> Interfaces { get; init; } = [];

    /// <summary>
    /// The interface's options (a VXLAN port's <c>key</c>, <c>local_ip</c>, <c>remote_ip</c>, <c>dst_port</c>), printed as
    /// OVS prints the Interface <c>options</c> column: <c>options: {key="100", remote_ip="10.9.0.2"}</c>; empty for none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}
