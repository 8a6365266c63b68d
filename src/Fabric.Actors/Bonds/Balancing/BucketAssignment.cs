using Fabric.Datapath.Bonds;

namespace Fabric.Actors.Bonds.Balancing;

/// <summary>
/// Bucket → member assignment outside rebalancing (ovs-facts §1.3): a bucket that is unassigned or whose member
/// is disabled gets the next enabled member in round-robin order (OVS
/// <c>ofproto/bond.c:choose_output_member</c>, <c>get_enabled_member</c>).
/// </summary>
public static class BucketAssignment
{
    /// <summary>
    /// Gives every bucket that is unassigned (-1) or assigned to a disabled member the next enabled member,
    /// round-robin, and sets it to -1 when no member is enabled (OVS <c>choose_output_member</c> stores the
    /// NULL that <c>get_enabled_member</c> returns). Buckets on enabled members are left alone.
    /// </summary>
    /// <remarks>
    /// OVS rotates a list of enabled members (pop front, push back); here the cursor walks member indices
    /// cyclically from <paramref name="roundRobin"/>, skipping disabled ones, which is the same sequence when
    /// the enabled list is in member-index order. Buckets are visited in index order 0..255.
    /// </remarks>
    /// <param name="bucketMember">256 entries, member index per bucket or -1; updated in place.</param>
    /// <param name="memberEnabled">One flag per member index.</param>
    /// <param name="roundRobin">Cursor: the member index to try first (any value; taken modulo the member count).
    /// On return, the index after the last member handed out, so successive calls continue the rotation.</param>
    /// <returns>How many buckets changed member (the caller revalidates their flows when non-zero).</returns>
    /// <exception cref="ArgumentException"><paramref name="bucketMember"/> does not have 256 entries or names a
    /// member index outside -1 .. <c>memberEnabled.Length − 1</c>.</exception>
    public static int FillUnassigned(Span<int> bucketMember, ReadOnlySpan<bool> memberEnabled, ref int roundRobin)
    {
        ValidateMap(bucketMember, memberEnabled.Length, nameof(bucketMember));
        bool anyEnabled = memberEnabled.IndexOf(true) >= 0;
        int changed = 0;
        for (int b = 0; b < bucketMember.Length; b++)
        {
            int current = bucketMember[b];
            if (current >= 0 && memberEnabled[current])
            {
                continue;
            }

            int next = anyEnabled ? NextEnabled(memberEnabled, ref roundRobin) : -1;
            if (next != current)
            {
                bucketMember[b] = next;
                changed++;
            }
        }

        return changed;
    }

    /// <summary>Checks a 256-entry bucket map whose entries are -1 or a member index below <paramref name="memberCount"/>.</summary>
    internal static void ValidateMap(ReadOnlySpan<int> bucketMember, int memberCount, string paramName)
    {
        if (bucketMember.Length != BondHash.Buckets)
        {
            throw new ArgumentException($"a bond has {BondHash.Buckets} buckets, got {bucketMember.Length}", paramName);
        }

        for (int b = 0; b < bucketMember.Length; b++)
        {
            int m = bucketMember[b];
            if (m < -1 || m >= memberCount)
            {
                throw new ArgumentException($"bucket {b} names member {m}; there are {memberCount} members", paramName);
            }
        }
    }

    private static int NextEnabled(ReadOnlySpan<bool> memberEnabled, ref int roundRobin)
    {
        int n = memberEnabled.Length;
        int start = ((roundRobin % n) + n) % n;
        for (int i = 0; i < n; i++)
        {
            int candidate = (start + i) % n;
            if (memberEnabled[candidate])
            {
                roundRobin = (candidate + 1) % n;
                return candidate;
            }
        }

        return -1;
    }
}
