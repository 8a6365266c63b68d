namespace Fabric.Actors.Bridge;

/// <summary>
/// One port of a bridge as NORMAL switching sees it: names, numbers and VLAN configuration
/// (ovs-facts §2.3). Immutable.
/// </summary>
public sealed record BridgePort
{
    /// <summary>Interface name.</summary>
    public required string Name { get; init; }

    /// <summary>OpenFlow port number within the bridge (1..65279).</summary>
    public required int OfPort { get; init; }

    /// <summary>Datapath port number (what megaflows match as in_port and output to); for a bond, its first member's.</summary>
    public required ushort DpPort { get; init; }

    /// <summary>The bond configuration when this port is a bond of two or more interfaces; null for a single interface.</summary>
    public Fabric.Actors.Bonds.BondSettings? Bond { get; init; }

    /// <summary>The datapath ports frames of this port arrive on: its own, or every member's for a bond.</summary>
    public IReadOnlyList<ushort> DpPorts => Bond is { } bond ? bond.Members.Select(m => m.DpPort).ToArray() : [DpPort];

    /// <summary>Port kind name as <c>show</c> prints it: system, tap, vxlan, dummy, or bond.</summary>
    public string Type { get; init; } = "system";

    /// <summary>For a VXLAN tunnel port to a cluster peer: the peer's node name (fdb/show marks MACs learned here with it); null otherwise.</summary>
    public string? RemoteNode { get; init; }

    /// <summary>
    /// True for a VXLAN tunnel port (<see cref="Type"/> "vxlan"): NORMAL never forwards a frame that came in on a
    /// tunnel out of another tunnel (split horizon of a full mesh, DESIGN "Cluster").
    /// </summary>
    public bool IsTunnel => Type == "vxlan";

    /// <summary>VLAN mode.</summary>
    public VlanMode Mode { get; init; } = VlanMode.Trunk;

    /// <summary>Access VLAN, or native VLAN for the native modes; null when unset.</summary>
    public int? Tag { get; init; }

    /// <summary>VLANs a trunk carries; empty = all 4096 (trunk mode only).</summary>
    public IReadOnlySet<int> Trunks { get; init; } = new HashSet<int>();

    /// <summary>
    /// The VLAN a frame received here belongs to, or null when the port must drop it
    /// ("disallowed VLAN VID for this input port", ovs-facts §2.3).
    /// </summary>
    /// <param name="tagged">The frame carries an 802.1Q header.</param>
    /// <param name="vid">Its VID (0 for priority-tagged frames).</param>
    public int? InputVlan(bool tagged, int vid)
    {
        switch (Mode)
        {
            case VlanMode.Access:
                // OVS drops any frame with a non-zero VID on an access port, even one equal to the tag.
                return tagged && vid != 0 ? null : Tag ?? 0;
            case VlanMode.Trunk:
                var v = tagged ? vid : 0;
                return Carries(v) ? v : null;
            default:
                if (!tagged || vid == 0)
                {
                    return Tag ?? 0;
                }

                return Carries(vid) ? vid : null;
        }
    }

    /// <summary>True when this port carries VLAN <paramref name="vlan"/> (used for flooding and output).</summary>
    public bool Carries(int vlan) => Mode switch
    {
        VlanMode.Access => vlan == (Tag ?? 0),
        VlanMode.Trunk => Trunks.Count == 0 || Trunks.Contains(vlan),
        _ => vlan == (Tag ?? 0) || (vlan != 0 && (Trunks.Count == 0 || Trunks.Contains(vlan))),
    };

    /// <summary>True when a frame of VLAN <paramref name="vlan"/> leaves this port with an 802.1Q header.</summary>
    public bool EgressTagged(int vlan) => Mode switch
    {
        VlanMode.Access => false,
        VlanMode.Trunk => vlan != 0,
        VlanMode.NativeTagged => true,
        _ => vlan != (Tag ?? 0),
    };
}
