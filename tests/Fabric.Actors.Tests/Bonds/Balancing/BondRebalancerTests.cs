using Fabric.Actors.Bonds.Balancing;
using Fabric.Datapath.Bonds;
using Xunit;

namespace Fabric.Actors.Tests.Bonds.Balancing;

/// <summary>
/// OVS <c>ofproto/bond.c:bond_rebalance</c> + <c>choose_entries_to_migrate</c>, checked move by move against hand
/// computations. Notation in the comments: M = 1,000,000 bytes; "bals" is OVS's list of enabled members in
/// descending load (a member is inserted before the first member it is strictly heavier than); ideal_delta =
/// (from + to) / 2 − to; threshold = ideal_delta / 10; a set is accepted iff new_low = min(from − taken,
/// to + taken) &gt; to and new_low − to ≥ threshold.
/// </summary>
public class BondRebalancerTests
{
    private const long M = 1_000_000;
    private const int A = 0;
    private const int B = 1;
    private const int C = 2;

    private sealed class Bond
    {
        public int[] Member { get; } = Filled(-1);

        public long[] Bytes { get; } = new long[BondHash.Buckets];

        public Bond Put(int bucket, int member, long bytes)
        {
            Member[bucket] = member;
            Bytes[bucket] = bytes;
            return this;
        }

        /// <summary>One interval of new traffic on top of the (already halved) decayed load.</summary>
        public Bond Add(int bucket, long bytes)
        {
            Bytes[bucket] += bytes;
            return this;
        }

        public RebalanceResult Run(params bool[] enabled)
        {
            RebalanceResult r = BondRebalancer.Rebalance(Member, Bytes, enabled);
            r.BucketMember.CopyTo(Member);
            return r;
        }

        private static int[] Filled(int v)
        {
            var a = new int[BondHash.Buckets];
            Array.Fill(a, v);
            return a;
        }
    }

    [Fact]
    public void A_uneven_slb_load_over_two_runs_moves_as_ovs_does()
    {
        // Four source MACs hashed to buckets 10, 20, 30, 40. Member A carries 4 M, 3 M and 2 M, member B 1 M.
        var bond = new Bond().Put(10, A, 4 * M).Put(20, A, 3 * M).Put(30, A, 2 * M).Put(40, B, 1 * M);

        // Run 1. Loads A = 9 M, B = 1 M; A's candidates [10: 4 M, 20: 3 M, 30: 2 M]; bals [A, B].
        //  from A, to B: overload 8 M (not < 1 M / 32 = 31250, not < 100000).
        //   ideal = (9 M + 1 M) / 2 = 5 M, ideal_delta = 4 M, threshold = 400000.
        //   10 (4 M): 0 + 4 M <= 4 M -> take, taken 4 M; 4 M − 4 M = 0 < 400000 -> stop.
        //   new_low = min(9 M − 4 M, 1 M + 4 M) = 5 M > 1 M and 5 M − 1 M = 4 M >= 400000 -> accept.
        //   move 10 A -> B: A = 5 M, B = 5 M; reinsert A -> [B, A], reinsert B -> [A, B] (ties go after).
        //  from A, to B: overload 0 < 5 M / 32 -> stop.
        // Halving: 10 = 2 M, 20 = 1.5 M, 30 = 1 M, 40 = 0.5 M.
        RebalanceResult run1 = bond.Run(true, true);
        Assert.Equal([new BucketMove(10, A, B, 4 * M)], run1.Moves.ToArray());
        Assert.True(run1.Rebalanced);
        Assert.Equal([5 * M, 5 * M], run1.MemberLoads.ToArray());
        Assert.Equal(B, bond.Member[10]);
        Assert.Equal(A, bond.Member[20]);
        Assert.Equal(A, bond.Member[30]);
        Assert.Equal(B, bond.Member[40]);
        Assert.Equal(new long[] { 2 * M, 3 * M / 2, 1 * M, M / 2 }, Loads(bond, 10, 20, 30, 40));
        Assert.Equal(
            "bond bond0: rebalanced (now carrying: a1:4882kB and a2:4882kB)",
            BondRebalancer.FormatRebalanced("bond0", ["a1", "a2"], run1.MemberLoads.AsSpan()));

        // Interval 2: MAC of bucket 10 falls silent, the others send as before (3 M, 2 M, 1 M).
        bond.Add(20, 3 * M).Add(30, 2 * M).Add(40, 1 * M);

        // Run 2. 10 (B) = 2 M, 20 (A) = 4.5 M, 30 (A) = 3 M, 40 (B) = 1.5 M. Loads A = 7.5 M, B = 3.5 M.
        //  A's candidates [20: 4.5 M, 30: 3 M]; B's [10: 2 M, 40: 1.5 M]; bals [A, B].
        //  from A, to B: overload 4 M. ideal = 5.5 M, ideal_delta = 2 M, threshold = 200000.
        //   20 (4.5 M) and 30 (3 M) both exceed 2 M -> nothing fits -> take the lightest, 30 (3 M).
        //   new_low = min(7.5 M − 3 M, 3.5 M + 3 M) = 4.5 M > 3.5 M, 1 M >= 200000 -> accept.
        //   move 30 A -> B: A = 4.5 M, B = 6.5 M; bals [B, A]. (30 is not added to B's candidates.)
        //  from B, to A: overload 2 M (not < 4.5 M / 32 = 140625). ideal = 5.5 M, ideal_delta = 1 M, threshold = 100000.
        //   B's candidates [10: 2 M, 40: 1.5 M]: neither fits -> lightest, 40 (1.5 M).
        //   new_low = min(6.5 M − 1.5 M, 4.5 M + 1.5 M) = 5 M > 4.5 M, 0.5 M >= 100000 -> accept.
        //   move 40 B -> A: B = 5 M, A = 6 M; bals [A, B].
        //  from A, to B: overload 1 M (not < 5 M / 32 = 156250); A's candidates are now [20] alone -> nothing,
        //   A leaves bals; one member left -> stop.
        // Halving: 10 = 1 M, 20 = 2.25 M, 30 = 1.5 M, 40 = 0.75 M.
        RebalanceResult run2 = bond.Run(true, true);
        Assert.Equal([new BucketMove(30, A, B, 3 * M), new BucketMove(40, B, A, 3 * M / 2)], run2.Moves.ToArray());
        Assert.Equal([6 * M, 5 * M], run2.MemberLoads.ToArray());
        Assert.Equal(new[] { B, A, B, A }, new[] { bond.Member[10], bond.Member[20], bond.Member[30], bond.Member[40] });
        Assert.Equal(new long[] { 1 * M, 9 * M / 4, 3 * M / 2, 3 * M / 4 }, Loads(bond, 10, 20, 30, 40));

        // Run 3, no new traffic. A = 20 (2.25 M) + 40 (0.75 M) = 3 M, B = 10 (1 M) + 30 (1.5 M) = 2.5 M.
        //  from A, to B: overload 0.5 M (not < 2.5 M / 32 = 78125, not < 100000).
        //   ideal = 2.75 M, ideal_delta = 250000, threshold = 25000; 2.25 M and 0.75 M both exceed it -> lightest, 40.
        //   new_low = min(3 M − 0.75 M, 2.5 M + 0.75 M) = 2.25 M, not > 2.5 M -> refused; A leaves bals -> stop.
        RebalanceResult run3 = bond.Run(true, true);
        Assert.Empty(run3.Moves);
        Assert.False(run3.Rebalanced);
        Assert.Equal([3 * M, 5 * M / 2], run3.MemberLoads.ToArray());
        Assert.Equal(new long[] { M / 2, 9 * M / 8, 3 * M / 4, 3 * M / 8 }, Loads(bond, 10, 20, 30, 40));
    }

    [Fact]
    public void A_bucket_moves_at_most_once_per_run()
    {
        // B carries 7 (100000), 8 (100000), 9 (300000); A and C carry nothing. Loads A = 0, B = 500000, C = 0.
        // bals: insert A [A]; B 500000 > 0 -> [B, A]; C 0 is not > anything -> [B, A, C].
        //  from B, to C: overload 500000. ideal_delta = 250000, threshold = 25000.
        //   B's candidates [9: 300000, 7: 100000, 8: 100000] (equal loads in bucket order):
        //   9 does not fit; 7 fits (taken 100000); 8 fits (taken 200000); 50000 >= 25000, list ends.
        //   new_low = min(300000, 200000) = 200000 > 0, >= 25000 -> accept: 7 and 8 move to C.
        //   after 7: B 400000, C 100000 -> bals [B, C, A]; after 8: B 300000, C 200000 -> [B, C, A].
        //  from B, to A: overload 300000; B's candidates are [9] alone -> B leaves bals -> [C, A].
        //  from C, to A: overload 200000 >= 100000; C's candidate list is empty (7 and 8 were not added to it)
        //   -> C leaves bals -> stop. If received buckets were candidates, 7 would now move again C -> A.
        var bond = new Bond().Put(7, B, 100_000).Put(8, B, 100_000).Put(9, B, 300_000);
        RebalanceResult r = bond.Run(true, true, true);
        Assert.Equal([new BucketMove(7, B, C, 100_000), new BucketMove(8, B, C, 100_000)], r.Moves.ToArray());
        Assert.Equal([0, 300_000, 200_000], r.MemberLoads.ToArray());
    }

    [Fact]
    public void Random_bonds_move_each_bucket_at_most_once_and_results_are_consistent()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            int members = rng.Next(2, 5);
            bool[] enabled = Enumerable.Range(0, members).Select(_ => rng.Next(4) != 0).ToArray();
            var bond = new Bond();
            for (int b = 0; b < BondHash.Buckets; b++)
            {
                if (rng.Next(3) == 0)
                {
                    bond.Put(b, rng.Next(-1, members), rng.Next(4) == 0 ? 0 : rng.NextInt64(1, 5 * M));
                }
            }

            int[] before = (int[])bond.Member.Clone();
            long[] bytes = (long[])bond.Bytes.Clone();
            RebalanceResult r = bond.Run(enabled);

            Assert.Equal(r.Moves.Length, r.Moves.Select(m => m.Bucket).Distinct().Count());
            int[] expected = (int[])before.Clone();
            foreach (BucketMove move in r.Moves)
            {
                Assert.Equal(before[move.Bucket], move.From);
                Assert.True(enabled[move.From] && enabled[move.To] && move.From != move.To);
                Assert.Equal(bytes[move.Bucket], move.Bytes);
                expected[move.Bucket] = move.To;
            }

            Assert.Equal(expected, r.BucketMember.ToArray());
            for (int m = 0; m < members; m++)
            {
                long sum = 0;
                for (int b = 0; b < BondHash.Buckets; b++)
                {
                    sum += r.BucketMember[b] == m ? bytes[b] : 0;
                }

                Assert.Equal(sum, r.MemberLoads[m]);
            }

            for (int b = 0; b < BondHash.Buckets; b++)
            {
                Assert.Equal(bytes[b] / 2, bond.Bytes[b]);
            }
        }
    }

    [Fact]
    public void Every_bucket_load_halves_after_a_run_moved_or_not()
    {
        // Odd loads round down; unassigned buckets and buckets of disabled members halve too. Overload here is
        // 1001 + 3 − 0 = 1004 < 100000, so nothing moves.
        var bond = new Bond().Put(0, A, 1001).Put(1, A, 3).Put(2, B, 1).Put(3, -1, 999_999).Put(4, C, 77);
        RebalanceResult r = bond.Run(true, true, false);
        Assert.Empty(r.Moves);
        Assert.Equal(new long[] { 500, 1, 0, 499_999, 38 }, Loads(bond, 0, 1, 2, 3, 4));
        Assert.Equal([1004, 1, 77], r.MemberLoads.ToArray());

        // Nineteen more runs without traffic: 999999 -> 0 after 20 halvings in total (OVS's comment: 1,000,000 bytes
        // take 20 runs to decay to 0).
        for (int i = 0; i < 19; i++)
        {
            bond.Run(true, true, false);
        }

        Assert.Equal(0, bond.Bytes[3]);
    }

    [Fact]
    public void Overload_below_100000_bytes_moves_nothing_and_at_100000_it_rebalances()
    {
        // A: 60000 + 39999 = 99999, B: 0 -> overload 99999 < 100000 -> stop.
        RebalanceResult below = new Bond().Put(1, A, 60_000).Put(2, A, 39_999).Run(true, true);
        Assert.Empty(below.Moves);

        // A: 60000 + 40000 = 100000, B: 0 -> overload 100000 (not < 100000; 0 / 32 = 0).
        //  ideal_delta = 50000, threshold = 5000: 60000 does not fit, 40000 does (taken 40000), 10000 >= 5000.
        //  new_low = min(60000, 40000) = 40000 > 0, >= 5000 -> accept: bucket 2 moves.
        //  Then A 60000, B 40000: overload 20000 < 100000 -> stop.
        RebalanceResult at = new Bond().Put(1, A, 60_000).Put(2, A, 40_000).Run(true, true);
        Assert.Equal([new BucketMove(2, A, B, 40_000)], at.Moves.ToArray());
    }

    [Fact]
    public void Overload_below_a_32nd_of_the_lighter_member_moves_nothing()
    {
        // A: 6490000 + 100000 = 6590000, B: 6400000 -> overload 190000 >= 100000 but < 6400000 / 32 = 200000 -> stop.
        RebalanceResult below = new Bond().Put(1, A, 6_490_000).Put(2, A, 100_000).Put(3, B, 6_400_000).Run(true, true);
        Assert.Empty(below.Moves);

        // A: 6500000 + 100000 = 6600000 -> overload 200000, not < 200000.
        //  ideal_delta = 100000, threshold = 10000: 6.5 M does not fit; 100000 fits (taken 100000), 0 < 10000 -> stop.
        //  new_low = min(6500000, 6500000) = 6500000 > 6400000, 100000 >= 10000 -> accept.
        RebalanceResult at = new Bond().Put(1, A, 6_500_000).Put(2, A, 100_000).Put(3, B, 6_400_000).Run(true, true);
        Assert.Equal([new BucketMove(2, A, B, 100_000)], at.Moves.ToArray());
    }

    [Fact]
    public void A_most_loaded_member_with_one_bucket_gives_nothing()
    {
        // A: one bucket of 5 M, B: 1 M. Overload 4 M, but A's list is "short" (≤ 1 entry) -> A leaves bals -> stop.
        RebalanceResult r = new Bond().Put(1, A, 5 * M).Put(2, B, 1 * M).Run(true, true);
        Assert.Empty(r.Moves);
        Assert.Equal([5 * M, 1 * M], r.MemberLoads.ToArray());
    }

    [Fact]
    public void A_skipped_member_leaves_the_others_balancing()
    {
        // A: 5 M in one bucket; B: 2 M + 1 M; C: nothing. bals [A, B, C].
        //  from A, to C: A has one bucket -> A leaves bals -> [B, C].
        //  from B, to C: overload 3 M. ideal_delta = 1.5 M, threshold = 150000: 2 M does not fit; 1 M fits.
        //   new_low = min(2 M, 1 M) = 1 M > 0, >= 150000 -> accept: bucket 3 B -> C. B = 2 M, C = 1 M.
        //  from B, to C: overload 1 M; B's list is [2] alone -> B leaves -> stop.
        RebalanceResult r = new Bond().Put(1, A, 5 * M).Put(2, B, 2 * M).Put(3, B, 1 * M).Run(true, true, true);
        Assert.Equal([new BucketMove(3, B, C, 1 * M)], r.Moves.ToArray());
    }

    [Fact]
    public void Disabled_members_are_neither_targets_nor_sources()
    {
        // A: 4 M + 2 M, B disabled and empty, C: 1 M. bals holds only A and C: [A, C].
        //  from A, to C (not B, although B is lighter): overload 5 M. ideal = 3.5 M, ideal_delta = 2.5 M,
        //   threshold = 250000: 4 M does not fit; 2 M fits (taken 2 M); 0.5 M >= 250000, list ends.
        //   new_low = min(4 M, 3 M) = 3 M > 1 M, 2 M >= 250000 -> accept: bucket 2 A -> C. A = 4 M, C = 3 M.
        //  from A, to C: overload 1 M (not < 3 M / 32 = 93750); A's list is [1] alone -> stop.
        RebalanceResult r = new Bond().Put(1, A, 4 * M).Put(2, A, 2 * M).Put(3, C, 1 * M).Run(true, false, true);
        Assert.Equal([new BucketMove(2, A, C, 2 * M)], r.Moves.ToArray());
        Assert.Equal([4 * M, 0, 3 * M], r.MemberLoads.ToArray());

        // A disabled member's own buckets count toward it but never move: A: 1 M + 1 M, B disabled with 10 M,
        // C empty. bals [A, C]: overload 2 M, ideal_delta = 1 M, threshold = 100000: first 1 M fits, 0 < 100000
        // -> stop; new_low = 1 M -> accept: bucket 1 A -> C. Then A 1 M = C 1 M -> stop.
        RebalanceResult r2 = new Bond().Put(1, A, 1 * M).Put(2, A, 1 * M).Put(3, B, 10 * M).Run(true, false, true);
        Assert.Equal([new BucketMove(1, A, C, 1 * M)], r2.Moves.ToArray());
        Assert.Equal(B, r2.BucketMember[3]);
        Assert.Equal([1 * M, 10 * M, 1 * M], r2.MemberLoads.ToArray());
    }

    [Fact]
    public void Three_members_balance_step_by_step()
    {
        // A: 1 (3 M), 2 (2 M), 3 (1 M), 4 (0.5 M) = 6.5 M; B: 5 (1.5 M); C: nothing. bals [A, B, C].
        //  from A, to C: overload 6.5 M. ideal = 3.25 M, ideal_delta = 3.25 M, threshold = 325000.
        //   1 (3 M) fits, taken 3 M; 250000 < 325000 -> stop. new_low = min(3.5 M, 3 M) = 3 M -> accept.
        //   move 1 A -> C: A = 3.5 M, C = 3 M; reinsert A -> [A, B, C], reinsert C -> [A, C, B].
        //  from A, to B: overload 2 M. ideal = 2.5 M, ideal_delta = 1 M, threshold = 100000.
        //   2 (2 M) does not fit; 3 (1 M) fits, taken 1 M; 0 < 100000 -> stop.
        //   new_low = min(2.5 M, 2.5 M) = 2.5 M > 1.5 M, 1 M >= 100000 -> accept.
        //   move 3 A -> B: A = 2.5 M, B = 2.5 M; reinsert A -> [C, B, A], reinsert B -> [C, A, B].
        //  from C, to B: overload 0.5 M (not < 2.5 M / 32 = 78125); C's list is empty -> C leaves -> [A, B].
        //  from A, to B: overload 0 -> stop.
        var bond = new Bond().Put(1, A, 3 * M).Put(2, A, 2 * M).Put(3, A, 1 * M).Put(4, A, M / 2).Put(5, B, 3 * M / 2);
        RebalanceResult r = bond.Run(true, true, true);
        Assert.Equal([new BucketMove(1, A, C, 3 * M), new BucketMove(3, A, B, 1 * M)], r.Moves.ToArray());
        Assert.Equal([5 * M / 2, 5 * M / 2, 3 * M], r.MemberLoads.ToArray());
        Assert.Equal(new[] { C, A, B, A, B }, new[] { bond.Member[1], bond.Member[2], bond.Member[3], bond.Member[4], bond.Member[5] });
    }

    [Fact]
    public void Accepts_when_the_lower_side_gains_exactly_a_tenth_of_the_gap_to_the_midpoint()
    {
        // A: 1.9 M + 100000 = 2 M, B: 0. ideal_delta = 1 M, threshold = 100000.
        //  1.9 M does not fit; 100000 fits (taken 100000). new_low = min(1.9 M, 100000) = 100000;
        //  100000 − 0 >= 100000 -> accepted (the comparison is >=).
        RebalanceResult at = new Bond().Put(1, A, 1_900_000).Put(2, A, 100_000).Run(true, true);
        Assert.Equal([new BucketMove(2, A, B, 100_000)], at.Moves.ToArray());

        // A: 1900001 + 99999 = 2 M: same threshold, new_low = 99999 < 100000 -> refused, nothing moves.
        RebalanceResult below = new Bond().Put(1, A, 1_900_001).Put(2, A, 99_999).Run(true, true);
        Assert.Empty(below.Moves);
    }

    [Fact]
    public void Unassigned_buckets_count_for_no_member_and_never_move()
    {
        RebalanceResult r = new Bond().Put(1, -1, 50 * M).Put(2, A, 1 * M).Put(3, A, 1 * M).Run(true, true);
        Assert.Equal(-1, r.BucketMember[1]);
        Assert.Equal([1 * M, 1 * M], r.MemberLoads.ToArray());
        Assert.Equal([new BucketMove(2, A, B, 1 * M)], r.Moves.ToArray());
    }

    [Fact]
    public void Rebalance_does_not_touch_the_input_map()
    {
        var member = new int[BondHash.Buckets];
        Array.Fill(member, -1);
        member[1] = A;
        member[2] = A;
        var bytes = new long[BondHash.Buckets];
        bytes[1] = bytes[2] = 1 * M;
        RebalanceResult r = BondRebalancer.Rebalance(member, bytes, [true, true]);
        Assert.Equal(B, r.BucketMember[1]);
        Assert.Equal(A, member[1]);
    }

    [Fact]
    public void Rebalance_refuses_malformed_input()
    {
        var member = new int[BondHash.Buckets];
        var bytes = new long[BondHash.Buckets];
        Assert.Throws<ArgumentException>(() => BondRebalancer.Rebalance(new int[255], bytes, [true]));
        Assert.Throws<ArgumentException>(() => BondRebalancer.Rebalance(member, new long[257], [true]));
        member[9] = 2;
        Assert.Throws<ArgumentException>(() => BondRebalancer.Rebalance(member, bytes, [true, true]));
        member[9] = -2;
        Assert.Throws<ArgumentException>(() => BondRebalancer.Rebalance(member, bytes, [true, true]));
        member[9] = 0;
        bytes[9] = -1;
        Assert.Throws<ArgumentOutOfRangeException>(() => BondRebalancer.Rebalance(member, bytes, [true, true]));
        Assert.Equal(-1, bytes[9]); // refused before halving anything
    }

    [Fact]
    public void FormatLoads_prints_kibibytes_joined_by_and()
    {
        Assert.Equal("eth0:0kB and eth1:1kB and eth2:976kB",
            BondRebalancer.FormatLoads(["eth0", "eth1", "eth2"], [1023, 2047, 1_000_000]));
        Assert.Throws<ArgumentException>(() => BondRebalancer.FormatLoads(["eth0"], [1, 2]));
    }

    [Fact]
    public void FillUnassigned_hands_out_enabled_members_round_robin()
    {
        var map = new int[BondHash.Buckets];
        Array.Fill(map, -1);
        int rr = 0;
        Assert.Equal(256, BucketAssignment.FillUnassigned(map, [true, true], ref rr));
        for (int b = 0; b < map.Length; b++)
        {
            Assert.Equal(b % 2, map[b]);
        }

        Assert.Equal(0, rr); // the 256th bucket went to member 1; the rotation continues at 0
        Assert.Equal(0, BucketAssignment.FillUnassigned(map, [true, true], ref rr)); // nothing left to fill
    }

    [Fact]
    public void FillUnassigned_moves_buckets_off_disabled_members_only()
    {
        // Members 0, 1, 2; member 1 goes down. Its buckets go to 0, 2, 0, 2, ... starting at the cursor; the
        // buckets of 0 and 2 stay where they are.
        var map = new int[BondHash.Buckets];
        for (int b = 0; b < map.Length; b++)
        {
            map[b] = b % 3;
        }

        int rr = 1;
        int changed = BucketAssignment.FillUnassigned(map, [true, false, true], ref rr);
        Assert.Equal(85, changed); // buckets 1, 4, ..., 253
        var handedOut = new List<int>();
        for (int b = 0; b < map.Length; b++)
        {
            if (b % 3 == 1)
            {
                handedOut.Add(map[b]);
            }
            else
            {
                Assert.Equal(b % 3, map[b]);
            }
        }

        Assert.Equal(Enumerable.Range(0, 85).Select(i => i % 2 == 0 ? 2 : 0), handedOut);
    }

    [Fact]
    public void FillUnassigned_continues_the_rotation_across_calls_and_normalises_the_cursor()
    {
        var map = new int[BondHash.Buckets];
        Array.Fill(map, 0);
        map[5] = -1;
        int rr = -7; // -7 mod 3 = 2
        BucketAssignment.FillUnassigned(map, [true, true, true], ref rr);
        Assert.Equal(2, map[5]);
        Assert.Equal(0, rr);
        map[6] = -1;
        BucketAssignment.FillUnassigned(map, [true, true, true], ref rr);
        Assert.Equal(0, map[6]);
        Assert.Equal(1, rr);
    }

    [Fact]
    public void FillUnassigned_leaves_minus_one_when_no_member_is_enabled()
    {
        var map = new int[BondHash.Buckets];
        Array.Fill(map, -1);
        map[0] = 1;
        map[1] = 0;
        int rr = 0;
        Assert.Equal(2, BucketAssignment.FillUnassigned(map, [false, false], ref rr));
        Assert.All(map, m => Assert.Equal(-1, m));
        Assert.Equal(0, rr);
    }

    private static long[] Loads(Bond bond, params int[] buckets) => buckets.Select(b => bond.Bytes[b]).ToArray();
}
