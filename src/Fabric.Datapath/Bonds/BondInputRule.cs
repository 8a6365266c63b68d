namespace Fabric.Datapath.Bonds;

/// <summary>
/// Which frames a bond accepts from its members (OVS <c>bond_check_admissibility</c>, ovs-facts §1.8). Chosen by the
/// bond's control actor from its mode and LACP status and published with the bond's map; NORMAL applies it.
/// </summary>
public enum BondInputRule : byte
{
    /// <summary>Drop everything: LACP configured but not negotiated without fallback, or balance-tcp without LACP.</summary>
    DropAll,

    /// <summary>LACP negotiated: accept any frame on an enabled (or may-enable) member; nothing else is checked.</summary>
    Negotiated,

    /// <summary>active-backup (or balance-tcp in fallback): accept only on the active member.</summary>
    ActiveOnly,

    /// <summary>
    /// balance-slb: broadcast and multicast only on the active member (unless all members are active); a frame whose
    /// source MAC is learned on another port is dropped as looped back, unless it is a gratuitous ARP of an unlocked entry.
    /// </summary>
    Slb,
}
