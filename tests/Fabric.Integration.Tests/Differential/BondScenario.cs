using Fabric.Datapath.Bonds;

namespace Fabric.Integration.Tests.Differential;

/// <summary>How a scenario's bond runs LACP.</summary>
public enum LacpSetup
{
    /// <summary><c>lacp=off</c>.</summary>
    Off,

    /// <summary><c>lacp=active</c>, fast, with nobody answering: the status settles to "configured" (not negotiated).</summary>
    NotNegotiated,

    /// <summary><c>lacp=active</c>, fast, with a partner bond on a second bridge of the same ovs-vswitchd, its members
    /// joined to ours by netdev-dummy stream sockets: the status becomes "negotiated".</summary>
    Negotiated,
}

/// <summary>One bond configuration a differential run compares Fabric and Open vSwitch on.</summary>
/// <param name="Name">Label in the summary, e.g. "balance-tcp, LACP negotiated".</param>
/// <param name="Mode">Bond mode.</param>
/// <param name="Lacp">LACP set-up.</param>
/// <param name="FallbackAb"><c>other_config:lacp-fallback-ab=true</c>: behave as active-backup while LACP is not negotiated.</param>
/// <param name="AllMembersActive"><c>other_config:all-members-active=true</c>: balance-slb accepts multicast on every member.</param>
public sealed record BondScenario(string Name, BondMode Mode, LacpSetup Lacp, bool FallbackAb = false, bool AllMembersActive = false)
{
    /// <summary>The mode as OVS's <c>bond_mode</c> column spells it.</summary>
    public string OvsMode => Mode switch
    {
        BondMode.ActiveBackup => "active-backup",
        BondMode.BalanceSlb => "balance-slb",
        _ => "balance-tcp",
    };
}
