namespace Fabric.Actors.Bonds;

/// <summary>Messages between a <see cref="BondActor"/> and its <see cref="MemberActor"/>s.</summary>
public static class MemberProtocol
{
    /// <summary>
    /// Bond → member: what LACP allows and needs now. The member re-evaluates its link (a change of
    /// <paramref name="MayEnable"/> starts updelay or downdelay like a carrier change) and re-arms its LACP timers
    /// when a period changed.
    /// </summary>
    /// <param name="MayEnable">LACP (or its absence) allows the member to be enabled (OVS may_enable).</param>
    /// <param name="LacpTransmitInterval">Period of LACPDU transmission; zero = do not transmit.</param>
    /// <param name="LacpReceiveTimeout">Time without a received LACPDU after which the bond is told; zero = no timer.</param>
    public sealed record Configure(bool MayEnable, TimeSpan LacpTransmitInterval, TimeSpan LacpReceiveTimeout);

    /// <summary>Bond → member: restart the LACP receive timer (an LACPDU was received on it, or its carrier changed).</summary>
    public sealed record PduReceived
    {
        /// <summary>The one instance.</summary>
        public static readonly PduReceived Instance = new();
    }

    /// <summary>
    /// Bond → member: no member is enabled, and this one is the pending-up member due first, so it is enabled at once
    /// (OVS bond_choose_member: "skipping remaining updelay").
    /// </summary>
    public sealed record SkipUpdelay
    {
        /// <summary>The one instance.</summary>
        public static readonly SkipUpdelay Instance = new();
    }

    /// <summary>Command: enable or disable the member administratively (bond/enable-member, bond/disable-member); answered with <see cref="MemberStatus"/>.</summary>
    /// <param name="Enabled">True to allow the member again, false to disable it at once.</param>
    public sealed record SetAdminState(bool Enabled);

    /// <summary>
    /// Member → bond, first thing after the member actor (re)started: it has lost its LACP timers and what it was last
    /// told, so the bond sends it its <see cref="Configure"/> again.
    /// </summary>
    /// <param name="Name">Member interface name.</param>
    public sealed record MemberStarted(string Name);

    /// <summary>Member → bond: the member's state changed (or was asked for).</summary>
    /// <param name="Name">Member interface name.</param>
    /// <param name="CarrierUp">The link as last polled.</param>
    /// <param name="Enabled">The bond may send on it.</param>
    /// <param name="DelayKind">"updelay" or "downdelay" while such a timer runs, else null.</param>
    /// <param name="DelayDueMs">When that timer expires (Unix ms, the datapath clock), 0 when none.</param>
    /// <param name="CarrierChanges">Carrier transitions seen since the member actor started.</param>
    public sealed record MemberStatus(string Name, bool CarrierUp, bool Enabled, string? DelayKind, long DelayDueMs, long CarrierChanges);

    /// <summary>Member → bond: time to send an LACPDU on this member.</summary>
    /// <param name="Name">Member interface name.</param>
    public sealed record LacpTransmitDue(string Name);

    /// <summary>Member → bond: no LACPDU arrived within the receive timeout (the timer is re-armed).</summary>
    /// <param name="Name">Member interface name.</param>
    public sealed record LacpReceiveExpired(string Name);

    /// <summary>Ask the member for its <see cref="MemberStatus"/>.</summary>
    public sealed record GetStatus
    {
        /// <summary>The one instance.</summary>
        public static readonly GetStatus Instance = new();
    }
}
