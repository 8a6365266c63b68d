namespace Fabric.Datapath.Bonds;

/// <summary>
/// One version of a bond's forwarding state, immutable and published whole by the datapath's single writer: the
/// member each of the 256 hash buckets sends on, the active member, the members' states and the input rule (ovs-facts
/// §1.2–§1.8). Poll threads resolve <see cref="Actions.DatapathActionKind.Bond"/> outputs through it.
/// </summary>
public sealed class BondMap
{
    /// <summary>Hash buckets per bond (OVS BOND_BUCKETS).</summary>
    public const int Buckets = 256;

    private readonly ushort[] _out;
    private readonly BondMember[] _members;

    /// <summary>Creates a version of bond <paramref name="bondId"/>.</summary>
    /// <param name="bondId">Bond id (1..65535), what bond actions name.</param>
    /// <param name="name">Bond port name.</param>
    /// <param name="mode">Configured mode.</param>
    /// <param name="outputs">
    /// The datapath port each bucket sends on (256 entries, 0 = drop). In active-backup every entry is the active member;
    /// with no enabled member, or balance-tcp without negotiated LACP and without fallback, every entry is 0.
    /// </param>
    /// <param name="activeMember">The active member's datapath port, 0 when none.</param>
    /// <param name="members">Every member, with its state.</param>
    /// <param name="inputRule">Which frames are accepted from members.</param>
    /// <param name="allMembersActive">balance-slb without LACP: broadcast and multicast are accepted on every member.</param>
    /// <param name="counters">The bond's bucket counters (kept across versions).</param>
    /// <exception cref="ArgumentException"><paramref name="outputs"/> does not have 256 entries, or <paramref name="bondId"/> is 0.</exception>
    public BondMap(ushort bondId, string name, BondMode mode, ReadOnlySpan<ushort> outputs, ushort activeMember, IReadOnlyList<BondMember> members, BondInputRule inputRule, bool allMembersActive, BondBucketCounters counters)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(counters);
        if (bondId == 0)
        {
            throw new ArgumentException("bond id 0 is reserved", nameof(bondId));
        }

        if (outputs.Length != Buckets)
        {
            throw new ArgumentException($"expected {Buckets} bucket outputs, got {outputs.Length}", nameof(outputs));
        }

        BondId = bondId;
        Name = name;
        Mode = mode;
        _out = outputs.ToArray();
        ActiveMember = activeMember;
        _members = [.. members];
        InputRule = inputRule;
        AllMembersActive = allMembersActive;
        Counters = counters;
    }

    /// <summary>Bond id.</summary>
    public ushort BondId { get; }

    /// <summary>Bond port name.</summary>
    public string Name { get; }

    /// <summary>Configured mode.</summary>
    public BondMode Mode { get; }

    /// <summary>The active member's datapath port, 0 when none.</summary>
    public ushort ActiveMember { get; }

    /// <summary>Which frames are accepted from members.</summary>
    public BondInputRule InputRule { get; }

    /// <summary>balance-slb without LACP: broadcast and multicast accepted on every member.</summary>
    public bool AllMembersActive { get; }

    /// <summary>Bytes sent per bucket.</summary>
    public BondBucketCounters Counters { get; }

    /// <summary>The members with their state.</summary>
    public IReadOnlyList<BondMember> Members => _members;

    /// <summary>The datapath port bucket <paramref name="bucket"/> sends on, 0 = drop. Per packet: no allocation.</summary>
    public ushort OutputOf(int bucket) => _out[bucket & (Buckets - 1)];

    /// <summary>The 256 bucket outputs.</summary>
    public ReadOnlySpan<ushort> Outputs => _out;

    /// <summary>The member on datapath port <paramref name="dpPort"/>, or null when it is not a member.</summary>
    public BondMember? Member(ushort dpPort)
    {
        foreach (BondMember m in _members)
        {
            if (m.DpPort == dpPort)
            {
                return m;
            }
        }

        return null;
    }
}
