namespace Fabric.Actors.Bonds.Balancing;

/// <summary>
/// One bucket migrated by a rebalancing run (OVS <c>ofproto/bond.c:bond_shift_load</c>): the flows of that
/// bucket must be revalidated so they leave on <paramref name="To"/>.
/// </summary>
/// <param name="Bucket">Bucket index 0..255.</param>
/// <param name="From">Member index the bucket left (the most loaded member at that step).</param>
/// <param name="To">Member index the bucket now belongs to (the least loaded enabled member at that step).</param>
/// <param name="Bytes">The bucket's decayed load in bytes at the time of the move (before the end-of-run halving).</param>
public readonly record struct BucketMove(int Bucket, int From, int To, long Bytes);
