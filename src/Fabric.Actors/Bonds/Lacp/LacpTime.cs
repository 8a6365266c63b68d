namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// The OVS Port <c>other_config:lacp-time</c> (ovs-facts §1.9): the rate at which this system asks its partner to
/// transmit, carried in our actor state's Timeout bit. Anything other than <c>fast</c> is <see cref="Slow"/>, the
/// default.
/// </summary>
public enum LacpTime
{
    /// <summary><c>slow</c>: long timeout — the partner sends every 30 s, we time it out after 90 s.</summary>
    Slow,

    /// <summary><c>fast</c>: short timeout — the partner sends every 1 s, we time it out after 3 s.</summary>
    Fast,
}
