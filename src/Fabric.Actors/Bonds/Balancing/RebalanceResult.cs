using System.Collections.Immutable;

namespace Fabric.Actors.Bonds.Balancing;

/// <summary>
/// What one rebalancing run (<see cref="BondRebalancer.Rebalance"/>, OVS <c>ofproto/bond.c:bond_rebalance</c>)
/// decided: the new bucket → member map, the moves in the order they were made, and every member's load after
/// the moves (the figures OVS logs as "bond X: rebalanced (now carrying: ...)").
/// </summary>
public sealed class RebalanceResult
{
    /// <summary>Creates a result; <see cref="BondRebalancer.Rebalance"/> is the normal producer.</summary>
    /// <param name="bucketMember">256 entries: member index per bucket, or -1 when unassigned.</param>
    /// <param name="moves">Moves in the order they were made.</param>
    /// <param name="memberLoads">Per member index, bytes after the moves and before the halving.</param>
    /// <exception cref="ArgumentException"><paramref name="bucketMember"/> does not have 256 entries.</exception>
    public RebalanceResult(ImmutableArray<int> bucketMember, ImmutableArray<BucketMove> moves, ImmutableArray<long> memberLoads)
    {
        if (bucketMember.IsDefault || bucketMember.Length != Fabric.Datapath.Bonds.BondHash.Buckets)
        {
            throw new ArgumentException("a bucket map has 256 entries", nameof(bucketMember));
        }

        BucketMember = bucketMember;
        Moves = moves.IsDefault ? ImmutableArray<BucketMove>.Empty : moves;
        MemberLoads = memberLoads.IsDefault ? ImmutableArray<long>.Empty : memberLoads;
    }

    /// <summary>The bucket map after the run: 256 entries, member index per bucket or -1 when unassigned.</summary>
    public ImmutableArray<int> BucketMember { get; }

    /// <summary>Buckets migrated, in order; each bucket appears at most once per run.</summary>
    public ImmutableArray<BucketMove> Moves { get; }

    /// <summary>
    /// Per member index (same length as the enabled-flags span given to the run), the sum in bytes of the
    /// non-zero buckets assigned to it after the moves and before the end-of-run halving (OVS member
    /// <c>tx_bytes</c>). Disabled members are included: their buckets count toward them but never move.
    /// </summary>
    public ImmutableArray<long> MemberLoads { get; }

    /// <summary>True when at least one bucket moved (OVS logs the INFO line and revalidates only then).</summary>
    public bool Rebalanced => !Moves.IsEmpty;
}
