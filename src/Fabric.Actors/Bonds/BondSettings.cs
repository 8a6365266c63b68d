using Fabric.Actors.Bonds.Lacp;
using Fabric.Datapath.Bonds;

namespace Fabric.Actors.Bonds;

/// <summary>
/// A bond's configuration: a port with two or more interfaces (OVS Port columns <c>bond_mode</c>, <c>lacp</c>,
/// <c>bond_updelay</c>, <c>bond_downdelay</c> and <c>other_config:bond-*</c>/<c>lacp-*</c>, with OVS's defaults,
/// ovs-facts §1.1 and §1.9). Immutable.
/// </summary>
public sealed record BondSettings
{
    /// <summary>Carrier polling period in <see cref="BondDetectMode.Carrier"/> mode (OVS is told by netlink; Fabric polls sysfs this often).</summary>
    public static readonly TimeSpan CarrierPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Bond id (1..65535) named by the datapath's bond output actions.</summary>
    public required ushort BondId { get; init; }

    /// <summary>The member interfaces, in configuration order (≥ 2).</summary>
    public required IReadOnlyList<BondMemberSettings> Members { get; init; }

    /// <summary><c>bond-mode</c>; active-backup when unset.</summary>
    public BondMode Mode { get; init; } = BondMode.ActiveBackup;

    /// <summary><c>lacp</c>: off (default), active or passive.</summary>
    public LacpMode Lacp { get; init; } = LacpMode.Off;

    /// <summary><c>lacp-time</c>: slow (default, 30 s transmit) or fast (1 s).</summary>
    public LacpTime LacpTime { get; init; } = LacpTime.Slow;

    /// <summary><c>lacp-fallback-ab</c>: behave as active-backup while LACP is configured but not negotiated (default false).</summary>
    public bool LacpFallbackAb { get; init; }

    /// <summary><c>lacp-system-id</c>: the LACP actor system id (48 bits); 0 = the bridge's (first member's) MAC.</summary>
    public ulong LacpSystemId { get; init; }

    /// <summary><c>lacp-system-priority</c>, 1..65535; 0 = OVS's default (65534 for a multi-member port).</summary>
    public int LacpSystemPriority { get; init; }

    /// <summary><c>bond-updelay</c>: how long a member's link must stay up before it is enabled (default 0).</summary>
    public TimeSpan UpDelay { get; init; }

    /// <summary><c>bond-downdelay</c>: how long a member's link must stay down before it is disabled (default 0).</summary>
    public TimeSpan DownDelay { get; init; }

    /// <summary><c>bond-primary</c>: the member preferred as active (active-backup, or LACP fallback); null = none.</summary>
    public string? Primary { get; init; }

    /// <summary><c>bond-rebalance-interval</c>: 10 s by default; zero disables rebalancing; anything in (0, 1 s) is raised to 1 s.</summary>
    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>bond-detect-mode</c>: carrier (default) or miimon.</summary>
    public BondDetectMode DetectMode { get; init; } = BondDetectMode.Carrier;

    /// <summary><c>bond-miimon-interval</c>: 200 ms by default.</summary>
    public TimeSpan MiimonInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>bond-hash-basis</c>: mixed into every bucket hash (default 0).</summary>
    public uint HashBasis { get; init; }

    /// <summary><c>all-members-active</c>: balance-slb without LACP accepts broadcast and multicast on every member (default false).</summary>
    public bool AllMembersActive { get; init; }

    /// <summary>How often a member's link state is polled.</summary>
    public TimeSpan LinkPollInterval => DetectMode == BondDetectMode.Miimon ? MiimonInterval : CarrierPollInterval;

    /// <summary>The rebalance interval after OVS's clamping (0 = off; otherwise at least 1 s).</summary>
    public TimeSpan EffectiveRebalanceInterval =>
        RebalanceInterval <= TimeSpan.Zero ? TimeSpan.Zero : RebalanceInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : RebalanceInterval;
}
