using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Ports;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Bonds;

/// <summary>The bond output action: a bucket resolved to a member through the bond table when the packet is sent.</summary>
public sealed class BondOutputTests : IDisposable
{
    private const ushort BondId = 1;

    private readonly Dictionary<ushort, IDatapathPort> _ports = new()
    {
        [1] = new MemoryPort("host"),
        [2] = new MemoryPort("m1"),
        [3] = new MemoryPort("m2"),
    };

    private readonly BondTable _bonds = new(threads: 2);
    private readonly OutputBatches _outputs = new();

    public BondOutputTests()
    {
        _outputs.SetPorts(_ports);
        _outputs.AttachBonds(_bonds, thread: 1);
    }

    public void Dispose()
    {
        _outputs.Dispose();
        foreach (IDatapathPort p in _ports.Values)
        {
            p.Dispose();
        }
    }

    private BondMap Map(Func<int, ushort> output, ushort active = 2) =>
        new(BondId, "bond0", BondMode.BalanceSlb, Enumerable.Range(0, 256).Select(b => output(b)).ToArray(), active,
            [new BondMember(2, true, true), new BondMember(3, true, true)], BondInputRule.Slb, false, _bonds.CountersFor(BondId));

    private int Queued(ushort port) => _outputs.BatchFor(port)!.Count;

    [Fact]
    public void A_bond_output_goes_to_the_member_of_its_bucket_and_follows_a_new_map_without_a_new_action()
    {
        _bonds.Publish(Map(b => b < 128 ? (ushort)2 : (ushort)3));
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        DatapathActions actions = DatapathActions.Create([DatapathAction.Bond(BondId, 200)]);

        ActionExecutor.Execute(frame, 1, actions, _outputs);
        Assert.Equal(0, Queued(2));
        Assert.Equal(1, Queued(3));

        // Failover: the bond actor moves bucket 200 to member 2; the same actions now send there.
        _bonds.Publish(Map(_ => 2));
        ActionExecutor.Execute(frame, 1, actions, _outputs);
        Assert.Equal(1, Queued(2));
        Assert.Equal(1, Queued(3));
    }

    [Fact]
    public void Bytes_are_counted_on_the_bucket_in_the_row_of_the_sending_thread_and_kept_across_map_versions()
    {
        _bonds.Publish(Map(_ => 3));
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.Bond(BondId, 7)]), _outputs);
        _bonds.Publish(Map(_ => 2));
        ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.Bond(BondId, 7)]), _outputs);

        var sums = new long[256];
        _bonds.Get(BondId)!.Counters.Sum(sums);
        Assert.Equal(2L * frame.Length, sums[7]);
        Assert.Equal(2L * frame.Length, sums.Sum());
    }

    [Fact]
    public void A_bucket_without_a_member_or_an_unknown_bond_drops_and_counts_nothing()
    {
        _bonds.Publish(Map(_ => 0, active: 0));
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.Bond(BondId, 1), DatapathAction.Bond(9, 1)]), _outputs);

        Assert.Equal(0, Queued(2) + Queued(3));
        var sums = new long[256];
        _bonds.Get(BondId)!.Counters.Sum(sums);
        Assert.Equal(0, sums.Sum());
    }

    [Fact]
    public void A_bond_output_after_a_vlan_push_sends_the_modified_frame()
    {
        _bonds.Publish(Map(_ => 3));
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.PushVlanTag(10), DatapathAction.Bond(BondId, 0)]), _outputs);

        Assert.Equal(frame.Length + 4, _outputs.BatchFor(3)!.Frame(0).Length);
    }

    [Fact]
    public void Bond_actions_print_as_lb_output_and_compare_by_bucket()
    {
        Assert.Equal("lb_output(1)", DatapathActions.Create([DatapathAction.Bond(1, 5)]).ToString());
        Assert.NotEqual(DatapathAction.Bond(1, 5), DatapathAction.Bond(1, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatapathAction.Bond(0, 1));
    }

    [Fact]
    public void A_map_must_use_the_tables_counters_and_have_256_outputs()
    {
        var foreign = new BondMap(BondId, "bond0", BondMode.ActiveBackup, new ushort[256], 0, [], BondInputRule.ActiveOnly, false, new BondBucketCounters(2));
        Assert.Throws<ArgumentException>(() => _bonds.Publish(foreign));
        Assert.Throws<ArgumentException>(() => new BondMap(BondId, "bond0", BondMode.ActiveBackup, new ushort[10], 0, [], BondInputRule.ActiveOnly, false, _bonds.CountersFor(BondId)));
    }
}
