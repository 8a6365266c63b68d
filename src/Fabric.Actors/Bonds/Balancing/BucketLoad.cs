namespace Fabric.Actors.Bonds.Balancing;

/// <summary>
/// One bond hash bucket with its assigned member and its decayed load, the unit the rebalancer sorts and
/// moves (OVS <c>ofproto/bond.c:struct bond_entry</c>: <c>member</c>, <c>tx_bytes</c>).
/// </summary>
/// <param name="Bucket">Bucket index 0..255 (<see cref="Fabric.Datapath.Bonds.BondHash.Bucket"/>).</param>
/// <param name="Member">Index of the member the bucket is assigned to, or -1 when unassigned.</param>
/// <param name="Bytes">Decayed transmitted bytes (≥ 0): accumulated since the last run plus half of the previous
/// value (OVS halves every bucket after each rebalancing run).</param>
public readonly record struct BucketLoad(int Bucket, int Member, long Bytes)
{
    /// <summary>The load in whole kibibytes, as OVS prints it (<c>tx_bytes / 1024</c>, "kB" in <c>bond/show</c>).</summary>
    public long Kilobytes => Bytes / 1024;

    /// <summary>
    /// Orders heavier buckets first, as OVS's <c>ofproto/bond.c:compare_bond_entries</c>; equal loads are ordered
    /// by ascending bucket index so a run is deterministic (OVS's <c>qsort</c> leaves ties unspecified).
    /// </summary>
    /// <returns>Negative when <paramref name="a"/> sorts before <paramref name="b"/>, positive after, 0 for the same bucket.</returns>
    public static int CompareByLoadDescending(BucketLoad a, BucketLoad b)
    {
        int byLoad = b.Bytes.CompareTo(a.Bytes);
        return byLoad != 0 ? byLoad : a.Bucket.CompareTo(b.Bucket);
    }
}
