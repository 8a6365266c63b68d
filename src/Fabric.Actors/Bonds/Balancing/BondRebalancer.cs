using System.Collections.Immutable;
using System.Text;
using Fabric.Datapath.Bonds;

namespace Fabric.Actors.Bonds.Balancing;

/// <summary>
/// The balance-slb / balance-tcp load rebalancing of current OVS (ovs-facts §1.4; OVS
/// <c>ofproto/bond.c:bond_rebalance</c>, <c>choose_entries_to_migrate</c>, <c>insert_bal</c>,
/// <c>reinsert_bal</c>, <c>bond_shift_load</c>): pure computation over the 256 bucket loads, run by the bond
/// actor on its rebalance timer (default every 10000 ms).
/// </summary>
/// <remarks>
/// One run: every member's load is the sum of its non-zero buckets; the enabled members are ordered by load,
/// heaviest first (ties keep member-index order, as <c>insert_bal</c> keeps insertion order). While two or more
/// remain, the heaviest (<c>from</c>) sheds buckets to the lightest (<c>to</c>) unless the gap is below
/// <c>to / 32</c> or below <see cref="MinimumOverloadBytes"/>, in which case the run ends. Buckets are chosen
/// greedily, largest first, up to the midpoint gap <c>ideal_delta = (from − to) / 2</c>; if none fits the
/// lightest one is tried; the set is taken only if the new lower load <c>min(from − taken, to + taken)</c>
/// exceeds <c>to</c> by at least <c>ideal_delta / 10</c>. A <c>from</c> that carries at most one bucket, or
/// whose candidates are refused, leaves the ordering and the loop goes on with the rest. A moved bucket is not
/// added to the receiving member's candidates, so it moves at most once per run. Finally every bucket's load
/// is halved (an exponentially weighted moving average with weight ½).
/// Allocates a few small arrays per run; it runs every few seconds, not per packet.
/// </remarks>
public static class BondRebalancer
{
    /// <summary>
    /// Overload (bytes of decayed load between the heaviest and the lightest enabled member) below which a run
    /// stops; OVS's source comment calls it "~1Mbps" (<c>ofproto/bond.c:bond_rebalance</c>).
    /// </summary>
    public const long MinimumOverloadBytes = 100_000;

    /// <summary>
    /// A run also stops when the overload is below the lightest member's load shifted right by this many bits,
    /// i.e. below 1/32 ≈ 3.1 % of the lighter side (<c>ofproto/bond.c:bond_rebalance</c>).
    /// </summary>
    public const int RelativeOverloadShift = 5;

    /// <summary>
    /// Runs one rebalancing pass (OVS <c>ofproto/bond.c:bond_rebalance</c>) and halves every bucket's load.
    /// </summary>
    /// <param name="bucketMember">256 entries: the member index each bucket is assigned to, or -1 when
    /// unassigned (unassigned buckets count toward no member and never move). Not modified.</param>
    /// <param name="bucketBytes">256 entries: each bucket's decayed load in bytes (≥ 0). Halved in place (integer
    /// division) after the moves are decided, for every bucket.</param>
    /// <param name="memberEnabled">One flag per member index; only enabled members give or receive buckets.
    /// Buckets of disabled members still count toward that member's load.</param>
    /// <returns>The new bucket map, the moves in order, and each member's load after the moves (before halving).</returns>
    /// <exception cref="ArgumentException">A span does not have 256 entries, or a bucket names a member index
    /// outside -1 .. <c>memberEnabled.Length − 1</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bucket load is negative.</exception>
    public static RebalanceResult Rebalance(ReadOnlySpan<int> bucketMember, Span<long> bucketBytes, ReadOnlySpan<bool> memberEnabled)
    {
        BucketAssignment.ValidateMap(bucketMember, memberEnabled.Length, nameof(bucketMember));
        if (bucketBytes.Length != BondHash.Buckets)
        {
            throw new ArgumentException($"a bond has {BondHash.Buckets} bucket loads, got {bucketBytes.Length}", nameof(bucketBytes));
        }

        for (int i = 0; i < bucketBytes.Length; i++)
        {
            if (bucketBytes[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes[i], $"bucket {i} has a negative load");
            }
        }

        int memberCount = memberEnabled.Length;
        int[] assignment = bucketMember.ToArray();
        long[] loads = new long[memberCount];

        // Step 1: sort the buckets heaviest first and give each member its candidate list in that order.
        var sorted = new BucketLoad[BondHash.Buckets];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = new BucketLoad(i, bucketMember[i], bucketBytes[i]);
        }

        sorted.AsSpan().Sort(BucketLoad.CompareByLoadDescending);
        var entries = new List<int>[memberCount];
        for (int m = 0; m < memberCount; m++)
        {
            entries[m] = new List<int>();
        }

        foreach (BucketLoad bucket in sorted)
        {
            if (bucket.Member >= 0 && bucket.Bytes != 0)
            {
                loads[bucket.Member] += bucket.Bytes;
                entries[bucket.Member].Add(bucket.Bucket);
            }
        }

        // Step 2: enabled members, heaviest first.
        var bals = new List<int>(memberCount);
        for (int m = 0; m < memberCount; m++)
        {
            if (memberEnabled[m])
            {
                InsertBal(bals, loads, m);
            }
        }

        // Steps 3-5: shift load from the heaviest to the lightest until it is not worth it.
        ImmutableArray<BucketMove>.Builder moves = ImmutableArray.CreateBuilder<BucketMove>();
        var chosen = new List<int>();
        while (bals.Count >= 2)
        {
            int from = bals[0];
            int to = bals[^1];
            long overload = loads[from] - loads[to];
            if (overload < loads[to] >> RelativeOverloadShift || overload < MinimumOverloadBytes)
            {
                break;
            }

            ChooseEntriesToMigrate(entries[from], bucketBytes, loads[from], loads[to], chosen);
            if (chosen.Count == 0)
            {
                // Nothing useful can leave 'from': drop it from consideration, keep balancing the others.
                bals.RemoveAt(0);
                continue;
            }

            foreach (int bucket in chosen)
            {
                long bytes = bucketBytes[bucket];
                loads[from] -= bytes;
                loads[to] += bytes;
                assignment[bucket] = to;
                moves.Add(new BucketMove(bucket, from, to, bytes));
                entries[from].Remove(bucket);
                Reinsert(bals, loads, from);
                Reinsert(bals, loads, to);
            }
        }

        // Step 6: exponentially weighted moving average, weight 1/2.
        for (int i = 0; i < bucketBytes.Length; i++)
        {
            bucketBytes[i] /= 2;
        }

        return new RebalanceResult(
            ImmutableArray.Create(assignment), moves.ToImmutable(), ImmutableArray.Create(loads));
    }

    /// <summary>
    /// The member part of OVS's INFO line, <c>name:NNNkB</c> per member joined by <c>" and "</c> with
    /// kB = bytes / 1024 (<c>ofproto/bond.c:bond_rebalance</c>), e.g. <c>a1:4882kB and a2:4882kB</c>.
    /// </summary>
    /// <param name="memberNames">Member names by member index.</param>
    /// <param name="memberLoads">Member loads in bytes by member index (<see cref="RebalanceResult.MemberLoads"/>).</param>
    /// <exception cref="ArgumentException">The two spans differ in length.</exception>
    public static string FormatLoads(ReadOnlySpan<string> memberNames, ReadOnlySpan<long> memberLoads)
    {
        if (memberNames.Length != memberLoads.Length)
        {
            throw new ArgumentException("one load per member name", nameof(memberLoads));
        }

        var sb = new StringBuilder();
        for (int m = 0; m < memberNames.Length; m++)
        {
            if (m > 0)
            {
                sb.Append(" and ");
            }

            sb.Append(memberNames[m]).Append(':').Append(memberLoads[m] / 1024).Append("kB");
        }

        return sb.ToString();
    }

    /// <summary>
    /// OVS's whole INFO message after a run that moved something:
    /// <c>bond &lt;name&gt;: rebalanced (now carrying: a1:NNNkB and a2:MMMkB)</c> (<c>ofproto/bond.c:bond_rebalance</c>).
    /// </summary>
    /// <param name="bondName">The bond's port name.</param>
    /// <param name="memberNames">Member names by member index.</param>
    /// <param name="memberLoads">Member loads in bytes by member index.</param>
    public static string FormatRebalanced(string bondName, ReadOnlySpan<string> memberNames, ReadOnlySpan<long> memberLoads) =>
        $"bond {bondName}: rebalanced (now carrying: {FormatLoads(memberNames, memberLoads)})";

    /// <summary>
    /// OVS <c>choose_entries_to_migrate</c>: fills <paramref name="chosen"/> with the buckets to move from a
    /// member loaded <paramref name="fromLoad"/> (candidates <paramref name="fromEntries"/>, heaviest first) to
    /// one loaded <paramref name="toLoad"/>, or leaves it empty when nothing is worth moving.
    /// </summary>
    private static void ChooseEntriesToMigrate(
        List<int> fromEntries, ReadOnlySpan<long> bucketBytes, long fromLoad, long toLoad, List<int> chosen)
    {
        chosen.Clear();
        if (fromEntries.Count <= 1)
        {
            // One bucket (or none): moving it would just move the imbalance.
            return;
        }

        // The midpoint of the two loads does not change by moving buckets between them. (from + to) / 2 − to
        // equals (from − to) / 2 for non-negative integers; this form cannot overflow.
        long idealDelta = (fromLoad - toLoad) / 2;
        long threshold = idealDelta / 10;
        long taken = 0;
        foreach (int bucket in fromEntries)
        {
            long bytes = bucketBytes[bucket];
            if (taken + bytes <= idealDelta)
            {
                chosen.Add(bucket);
                taken += bytes;
            }

            if (idealDelta - taken < threshold)
            {
                break; // close enough to the midpoint; don't shuffle the light buckets too
            }
        }

        if (chosen.Count == 0)
        {
            // Every bucket overshoots the midpoint: try the lightest one.
            int closest = fromEntries[^1];
            chosen.Add(closest);
            taken = bucketBytes[closest];
        }

        // Accept only if the lower of the two new loads rises above 'to' by at least 10 % of the gap to the
        // midpoint (the higher side improves by the same amount, so checking the lower one suffices).
        long newLow = Math.Min(fromLoad - taken, toLoad + taken);
        if (!(newLow > toLoad && newLow - toLoad >= threshold))
        {
            chosen.Clear();
        }
    }

    /// <summary>OVS <c>insert_bal</c>: inserts before the first member it is strictly heavier than (ties go after).</summary>
    private static void InsertBal(List<int> bals, long[] loads, int member)
    {
        int pos = 0;
        while (pos < bals.Count && loads[member] <= loads[bals[pos]])
        {
            pos++;
        }

        bals.Insert(pos, member);
    }

    /// <summary>OVS <c>reinsert_bal</c>: removes the member and inserts it again at its load's place.</summary>
    private static void Reinsert(List<int> bals, long[] loads, int member)
    {
        bals.Remove(member);
        InsertBal(bals, loads, member);
    }
}
