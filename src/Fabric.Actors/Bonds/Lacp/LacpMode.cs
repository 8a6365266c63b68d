namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// The OVS Port column <c>lacp</c> (ovs-facts §1.9; <c>vswitchd/bridge.c:enable_lacp</c>). Unset means
/// <see cref="Off"/>.
/// </summary>
public enum LacpMode
{
    /// <summary><c>off</c>: no LACP object; the bond's LACP status is "off" and no PDU is sent.</summary>
    Off,

    /// <summary><c>active</c>: may initiate negotiation, always transmits PDUs (actor state Activity bit set).</summary>
    Active,

    /// <summary><c>passive</c>: transmits only after hearing a partner (actor state Activity bit clear).</summary>
    Passive,
}
