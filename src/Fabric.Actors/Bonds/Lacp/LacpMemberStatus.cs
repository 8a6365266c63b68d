namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// State of a member's receive machine (OVS <c>lib/lacp.c</c> <c>enum member_status</c>; IEEE 802.1AX-2008
/// §5.4.12, simplified). Printed by <c>lacp/show</c> as <c>current</c>, <c>expired</c>, <c>defaulted</c>.
/// </summary>
public enum LacpMemberStatus
{
    /// <summary>A PDU arrived within the receive timeout: the partner information is up to date.</summary>
    Current,

    /// <summary>The receive timeout ran out once: partner Synchronization cleared, partner Timeout forced on.</summary>
    Expired,

    /// <summary>No partner: the partner information is all zero. Every member starts here.</summary>
    Defaulted,
}
