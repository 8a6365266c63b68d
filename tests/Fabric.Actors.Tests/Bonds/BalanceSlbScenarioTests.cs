using Fabric.Actors.Bonds;
using Fabric.Actors.Tests.Support;
using Fabric.Datapath.Bonds;
using static Fabric.Actors.Tests.Bonds.BondFrames;

namespace Fabric.Actors.Tests.Bonds;

/// <summary>
/// balance-slb on virtual time (ovs-facts §1.2–§1.4): buckets spread over the enabled members, a member's buckets move
/// at once when it goes down, and rebalancing moves buckets exactly as OVS's bond_rebalance would, run by run.
/// </summary>
public sealed class BalanceSlbScenarioTests
{
    private const ulong Far = 0x0200_0000_00f0;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Buckets_are_spread_round_robin_over_the_enabled_members(int members)
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb }, members: members);
        var outputs = s.Map.Outputs.ToArray();
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            Assert.Equal(s.MemberDp((b % members) + 1), outputs[b]);
        }
    }

    [Fact]
    public void A_member_going_down_hands_its_buckets_to_the_others_at_once_and_traffic_follows_without_new_megaflows()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb }, members: 3);
        var before = s.Map.Outputs.ToArray();

        // A source whose bucket is on m2.
        var src = MacInBucketOf(s, member: 2);
        Assert.Equal(1, s.Send(s.Hosts[0], Udp(src, Far)));
        Assert.Single(Data(BondScenario.TakeSent(s.Members[1])));
        var flows = s.Datapath.Flows.Snapshot().Select(f => f.Id).ToArray();

        s.Members[1].SetCarrier(false);
        s.NextPoll();
        var after = s.Map.Outputs.ToArray();
        Assert.DoesNotContain(s.MemberDp(2), after);
        var moved = 0;
        for (var b = 0; b < BondMap.Buckets; b++)
        {
            if (before[b] == s.MemberDp(2))
            {
                Assert.Contains(after[b], new[] { s.MemberDp(1), s.MemberDp(3) });
                moved++;
            }
            else
            {
                Assert.Equal(before[b], after[b]); // the others' buckets stay where they were
            }
        }

        Assert.Equal(85, moved);
        var bucket = BondHash.Bucket(BondHash.SlbHash(src, 0, 0));
        var nowOn = s.MemberIndexOf(after[bucket]);
        s.ClearSent();
        Assert.Equal(0, s.Send(s.Hosts[0], Udp(src, Far)));
        Assert.Single(Data(BondScenario.TakeSent(s.Members[nowOn - 1])));
        Assert.Empty(BondScenario.TakeSent(s.Members[1]));
        Assert.Equal(flows, s.Datapath.Flows.Snapshot().Select(f => f.Id).ToArray());
    }

    /// <summary>
    /// Four sources behind p1 with uneven loads. Hand computation (ovs-facts §1.4, byte counts are what the datapath
    /// counts on the buckets; kB = bytes / 1024):
    /// <code>
    /// Start (bond/migrate): m1 = {A 1 800 000, B 1 100 000, D 200 000} = 3 100 000, m2 = {C 1 000 000}.
    /// Run 1 (t = 10 s):
    ///   from m1 (3.1 MB) to m2 (1.0 MB): overload 2 100 000 ≥ 100 000 and ≥ 1 000 000 / 32.
    ///     ideal = 1 050 000, threshold 105 000. A (1.8 MB) and B (1.1 MB) overshoot; D fits (taken 200 000).
    ///     new low = min(2 900 000, 1 200 000) = 1 200 000, 200 000 above m2 ≥ 105 000 → D moves to m2.
    ///   from m1 (2.9 MB) to m2 (1.2 MB): overload 1 700 000. ideal = 850 000, threshold 85 000.
    ///     A and B overshoot, nothing fits → the lightest, B. new low = min(1 800 000, 2 300 000) = 1 800 000,
    ///     600 000 above m2 → B moves to m2.
    ///   from m2 (2.3 MB) to m1 (1.8 MB): overload 500 000 ≥ 100 000 and ≥ 1 800 000 / 32. m2's candidates are {C}
    ///     only — D and B just arrived and are not candidates again in this run — and one bucket is not moved:
    ///     m2 leaves the list, one member remains, the run ends. (Had D been a candidate again it would have gone
    ///     straight back: ideal 250 000, D fits, new low 2 000 000 > 1 800 000.)
    ///   Halving: A 900 000 (878 kB), B 550 000 (537 kB), C 500 000 (488 kB), D 100 000 (97 kB).
    /// Between the runs the test sends one more 1000-byte frame from each of A, B and D (checking where they leave).
    /// Run 2 (t = 20 s): m1 = {A 901 000} = 901 000, m2 = {B 551 000, C 500 000, D 101 000} = 1 152 000.
    ///   from m2 to m1: overload 251 000 ≥ 100 000 and ≥ 901 000 / 32. ideal = 125 500, threshold 12 550.
    ///     B and C overshoot, D fits (101 000). new low = min(1 051 000, 1 002 000) = 1 002 000, 101 000 above m1 →
    ///     D moves back to m1 (a bucket moves at most once per run, not once ever).
    ///   from m2 (1 051 000) to m1 (1 002 000): overload 49 000 &lt; 100 000 → the run ends.
    ///   Halving: A 450 500 (439 kB), B 275 500 (269 kB), C 250 000 (244 kB), D 50 500 (49 kB).
    /// Run 3 (t = 30 s): m1 = {A, D} = 501 000, m2 = {B, C} = 525 500: overload 24 500 &lt; 100 000 → nothing moves;
    ///   the loads halve again: A 225 250 (219 kB), B 137 750 (134 kB), C 125 000 (122 kB), D 25 250 (24 kB).
    /// </code>
    /// </summary>
    [Fact]
    public void Rebalancing_moves_buckets_run_by_run_exactly_as_computed_by_hand_and_halves_the_loads()
    {
        using var s = new BondScenario(b => b with { Mode = BondMode.BalanceSlb });
        Assert.Equal(10_000, s.Status().NextRebalanceMs);
        ulong a = 0x0200_0000_0a01, b = 0x0200_0000_0b01, c = 0x0200_0000_0c01, d = 0x0200_0000_0d01;
        var (ba, bb, bc, bd) = (Bucket(a), Bucket(b), Bucket(c), Bucket(d));
        Assert.Equal(4, new[] { ba, bb, bc, bd }.Distinct().Count());

        Assert.Equal("migrated", s.Command(new BondProtocol.Migrate(BondScenario.BondName, ba, "m1")).Text);
        Assert.Equal("migrated", s.Command(new BondProtocol.Migrate(BondScenario.BondName, bb, "m1")).Text);
        Assert.Equal("migrated", s.Command(new BondProtocol.Migrate(BondScenario.BondName, bc, "m2")).Text);
        Assert.Equal("migrated", s.Command(new BondProtocol.Migrate(BondScenario.BondName, bd, "m1")).Text);
        s.Settle();

        // 1000-byte frames: A 1800, B 1100, C 1000, D 200 of them (the first of each goes up as an upcall and is
        // executed by the slow path: its bytes are counted on the bucket too).
        SendLoad(s, a, 1800);
        SendLoad(s, b, 1100);
        SendLoad(s, c, 1000);
        SendLoad(s, d, 200);
        Assert.Equal(1800 + 1100 + 200, Data(BondScenario.TakeSent(s.Members[0])).Count);
        Assert.Equal(1000, Data(BondScenario.TakeSent(s.Members[1])).Count);
        Assert.Equal((1, 1, 2, 1), (Owner(s, ba), Owner(s, bb), Owner(s, bc), Owner(s, bd)));

        // Run 1 at t = 10 s: D then B move to m2; nothing moves back in the same run.
        s.Step(TimeSpan.FromMilliseconds(s.Status().NextRebalanceMs - 1));
        Assert.Equal(0, s.Status().Rebalances);
        s.Step(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, s.Status().Rebalances);
        Assert.Equal((1, 2, 2, 2), (Owner(s, ba), Owner(s, bb), Owner(s, bc), Owner(s, bd)));
        Assert.Equal([(ba, 878L)], Loads(s, 1));
        Assert.Equal([(bb, 537L), (bc, 488L), (bd, 97L)], Loads(s, 2));
        Assert.Equal(10_000, s.Status().NextRebalanceMs);

        // The same megaflows now send B's and D's frames on m2, without upcalls.
        s.ClearSent();
        Assert.Equal(0, s.Send(s.Hosts[0], Udp(b, Far, 1000), Udp(d, Far, 1000), Udp(a, Far, 1000)));
        Assert.Equal([a], Data(BondScenario.TakeSent(s.Members[0])).Select(Source).ToArray());
        Assert.Equal([b, d], Data(BondScenario.TakeSent(s.Members[1])).Select(Source).ToArray());

        // Run 2 at t = 20 s: the 3000 bytes just sent are part of the loads (A +1000, B +1000, D +1000).
        s.Step(TimeSpan.FromMilliseconds(s.Status().NextRebalanceMs));
        Assert.Equal(2, s.Status().Rebalances);
        Assert.Equal((1, 2, 2, 1), (Owner(s, ba), Owner(s, bb), Owner(s, bc), Owner(s, bd)));
        Assert.Equal([(ba, (900_000 + 1000) / 2 / 1024), (bd, (100_000 + 1000) / 2 / 1024)], Loads(s, 1));
        Assert.Equal([(bb, (550_000 + 1000) / 2 / 1024), (bc, 250_000 / 1024)], Loads(s, 2));

        // Run 3 at t = 30 s: balanced within 100 000 bytes, nothing moves; the loads still halve.
        s.Step(TimeSpan.FromMilliseconds(s.Status().NextRebalanceMs));
        Assert.Equal(2, s.Status().Rebalances);
        Assert.Equal((1, 2, 2, 1), (Owner(s, ba), Owner(s, bb), Owner(s, bc), Owner(s, bd)));
        Assert.Equal([(ba, (900_000 + 1000) / 4 / 1024), (bd, (100_000 + 1000) / 4 / 1024)], Loads(s, 1));
        Assert.Equal([(bb, (550_000 + 1000) / 4 / 1024), (bc, 125_000 / 1024)], Loads(s, 2));
    }

    private static int Bucket(ulong mac) => BondHash.Bucket(BondHash.SlbHash(mac, 0, 0));

    /// <summary>The member (1-based) the datapath map sends bucket <paramref name="bucket"/> on.</summary>
    private static int Owner(BondScenario s, int bucket) => s.MemberIndexOf(s.Map.OutputOf(bucket));

    /// <summary>bond/show's "hash N: K kB load" lines of member <paramref name="member"/>, heaviest first.</summary>
    private static (int, long)[] Loads(BondScenario s, int member) =>
        s.MemberView(member).BucketKilobytes.OrderByDescending(x => x.Kilobytes).Select(x => (x.Bucket, x.Kilobytes)).ToArray();

    /// <summary>Sends <paramref name="frames"/> 1000-byte frames from <paramref name="src"/> on p1 to an unknown destination.</summary>
    private static void SendLoad(BondScenario s, ulong src, int frames)
    {
        Assert.Equal(1, s.Send(s.Hosts[0], Udp(src, Far, 1000)));
        for (var sent = 1; sent < frames; sent += 100)
        {
            var batch = Enumerable.Range(0, Math.Min(100, frames - sent)).Select(_ => Udp(src, Far, 1000)).ToArray();
            Assert.Equal(0, s.Send(s.Hosts[0], batch));
        }
    }

    /// <summary>A source MAC whose bucket is on member <paramref name="member"/> (1-based) now.</summary>
    private static ulong MacInBucketOf(BondScenario s, int member)
    {
        for (ulong mac = 0x0200_0000_1000; ; mac++)
        {
            if (Owner(s, Bucket(mac)) == member)
            {
                return mac;
            }
        }
    }
}
