using Fabric.Actors.Bonds.Lacp;

namespace Fabric.Actors.Bonds;

/// <summary>Messages understood by <see cref="BondActor"/> (through its bridge, which routes them by bond name or member port).</summary>
public static class BondProtocol
{
    /// <summary>An LACPDU (or other slow-protocol frame) that arrived on member datapath port <paramref name="DpPort"/>.</summary>
    /// <param name="DpPort">The member's datapath port.</param>
    /// <param name="Frame">The whole Ethernet frame.</param>
    public sealed record LacpReceived(ushort DpPort, ReadOnlyMemory<byte> Frame);

    /// <summary>Ask for the bond's state (bond/show, bond/list); answered with <see cref="BondStatus"/>.</summary>
    /// <param name="Bond">Bond port name.</param>
    public sealed record GetBondStatus(string Bond);

    /// <summary>Ask for <c>lacp/show</c> (<paramref name="Stats"/> false) or <c>lacp/show-stats</c> text; answered with <see cref="LacpText"/>.</summary>
    /// <param name="Bond">Bond port name.</param>
    /// <param name="Stats">True for the statistics.</param>
    public sealed record GetLacp(string Bond, bool Stats);

    /// <summary>Reply to <see cref="GetLacp"/>: OVS-format text, or null when the bond has no LACP.</summary>
    public sealed record LacpText(string? Text);

    /// <summary>One member in <see cref="BondStatus"/>.</summary>
    /// <param name="Name">Interface name.</param>
    /// <param name="Enabled">The bond sends on it.</param>
    /// <param name="MayEnable">LACP allows it.</param>
    /// <param name="CarrierUp">Link state.</param>
    /// <param name="DelayKind">"updelay" or "downdelay" while one runs.</param>
    /// <param name="DelayRemainingMs">Time left on that delay (ms).</param>
    /// <param name="MacAddress">The member's MAC (48 bits).</param>
    /// <param name="BucketKilobytes">Decayed load in kB of each bucket on this member that carries ≥ 1 kB, by bucket.</param>
    public sealed record MemberView(string Name, bool Enabled, bool MayEnable, bool CarrierUp, string? DelayKind, long DelayRemainingMs, ulong MacAddress, IReadOnlyList<(int Bucket, long Kilobytes)> BucketKilobytes);

    /// <summary>Reply to <see cref="GetBondStatus"/>: what <c>bond/show</c> prints (ovs-facts §1.10).</summary>
    /// <param name="Name">Bond port name.</param>
    /// <param name="BondId">Bond id.</param>
    /// <param name="Settings">The bond's configuration.</param>
    /// <param name="LacpStatus">LACP status.</param>
    /// <param name="ActiveMember">The active member's name, or null.</param>
    /// <param name="ActiveMac">The active member's MAC (0 = none).</param>
    /// <param name="NextRebalanceMs">Time until the next rebalance (ms), or -1 when the bond is not balanced.</param>
    /// <param name="Members">Members, sorted by name.</param>
    /// <param name="Rebalances">Rebalancing runs that moved at least one bucket.</param>
    /// <param name="LearningPacketsSent">Gratuitous learning packets sent on failovers.</param>
    public sealed record BondStatus(string Name, ushort BondId, BondSettings Settings, LacpStatus LacpStatus, string? ActiveMember, ulong ActiveMac, long NextRebalanceMs, IReadOnlyList<MemberView> Members, long Rebalances, long LearningPacketsSent);

    /// <summary>bond/migrate: move hash bucket <paramref name="Bucket"/> to <paramref name="Member"/> (balanced bonds only); answered with <see cref="CommandResult"/>.</summary>
    public sealed record Migrate(string Bond, int Bucket, string Member);

    /// <summary>bond/set-active-member; answered with <see cref="CommandResult"/> ("done" / "no change").</summary>
    public sealed record SetActiveMember(string Bond, string Member);

    /// <summary>bond/enable-member and bond/disable-member; answered with <see cref="CommandResult"/> ("enabled" / "disabled").</summary>
    public sealed record SetMemberEnabled(string Bond, string Member, bool Enabled);

    /// <summary>Reply to a bond command: the text to print, or the error.</summary>
    /// <param name="Ok">False for an error.</param>
    /// <param name="Text">What to print.</param>
    public sealed record CommandResult(bool Ok, string Text);

    /// <summary>Timer message: run rebalancing (OVS bond_rebalance, every bond-rebalance-interval).</summary>
    public sealed record RebalanceTick
    {
        /// <summary>The one instance.</summary>
        public static readonly RebalanceTick Instance = new();
    }

}
