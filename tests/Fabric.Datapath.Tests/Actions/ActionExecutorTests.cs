using Fabric.Datapath.Actions;
using Fabric.Datapath.Ports;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Actions;

public sealed class ActionExecutorTests : IDisposable
{
    private readonly Dictionary<ushort, IDatapathPort> _ports = new()
    {
        [1] = new MemoryPort("p1"),
        [2] = new MemoryPort("p2"),
        [3] = new MemoryPort("p3"),
        [4] = new MemoryPort("p4"),
    };

    private readonly OutputBatches _outputs = new();

    public ActionExecutorTests() => _outputs.SetPorts(_ports);

    public void Dispose()
    {
        _outputs.Dispose();
        foreach (IDatapathPort p in _ports.Values)
        {
            p.Dispose();
        }
    }

    private byte[] Out(ushort port, int index = 0) => _outputs.BatchFor(port)!.Frame(index).ToArray();

    private int Queued(ushort port) => _outputs.BatchFor(port)!.Count;

    [Fact]
    public void Push_vlan_inserts_a_tag_after_the_macs_with_cfi_cleared()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);

        ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.PushVlanTag(10, 5), DatapathAction.Output(2)]), _outputs);

        byte[] expected = Eth(MacB, MacA, 0x0800, frame.AsSpan(14), (0x8100, (ushort)((5 << 13) | 10)));
        Assert.Equal(expected, Out(2));
    }

    [Fact]
    public void Pop_vlan_removes_the_outer_tag_and_leaves_untagged_frames_alone()
    {
        byte[] inner = Udp64(MacA, MacB, 1, 2, 3, 4);
        byte[] tagged = Eth(MacB, MacA, 0x0800, inner.AsSpan(14), (0x88a8, 7), (0x8100, 20));
        DatapathActions pop = DatapathActions.Create([DatapathAction.PopVlan(), DatapathAction.Output(2)]);

        ActionExecutor.Execute(tagged, 1, pop, _outputs);
        ActionExecutor.Execute(inner, 1, pop, _outputs);

        Assert.Equal(Eth(MacB, MacA, 0x0800, inner.AsSpan(14), (0x8100, 20)), Out(2, 0));
        Assert.Equal(inner, Out(2, 1));
    }

    [Fact]
    public void Set_vlan_tci_rewrites_an_existing_tag_or_pushes_one()
    {
        byte[] inner = Udp64(MacA, MacB, 1, 2, 3, 4);
        byte[] tagged = Eth(MacB, MacA, 0x0800, inner.AsSpan(14), (0x8100, 10));
        DatapathActions set = DatapathActions.Create([DatapathAction.SetVlanTci(20), DatapathAction.Output(3)]);

        ActionExecutor.Execute(tagged, 1, set, _outputs);
        ActionExecutor.Execute(inner, 1, set, _outputs);

        byte[] want = Eth(MacB, MacA, 0x0800, inner.AsSpan(14), (0x8100, 20));
        Assert.Equal(want, Out(3, 0));
        Assert.Equal(want, Out(3, 1));
    }

    [Fact]
    public void Each_output_sees_the_frame_as_modified_so_far_and_the_original_is_untouched()
    {
        // Trunk → access flood from trace-trunk-to-access.txt: "pop_vlan,4,push_vlan(vid=10,pcp=0),2,100,3".
        byte[] inner = Udp64(MacA, MacB, 1, 2, 3, 4);
        byte[] tagged = Eth(MacB, MacA, 0x0800, inner.AsSpan(14), (0x8100, 10));
        byte[] copy = (byte[])tagged.Clone();
        DatapathActions actions = DatapathActions.Create([
            DatapathAction.PopVlan(), DatapathAction.Output(4), DatapathAction.PushVlan(10), DatapathAction.Output(2),
            DatapathAction.Output(100), DatapathAction.Output(3),
        ]);

        ActionExecutor.Execute(tagged, 1, actions, _outputs);

        Assert.Equal(inner, Out(4));
        Assert.Equal(tagged, Out(2));
        Assert.Equal(tagged, Out(3));
        Assert.Equal(copy, tagged);
        Assert.Equal(1, _outputs.Dropped); // port 100 does not exist here
    }

    [Fact]
    public void Output_to_the_in_port_is_skipped()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);

        ActionExecutor.Execute(frame, 2, DatapathActions.OutputTo(1, 2, 3), _outputs);

        Assert.Equal(1, Queued(1));
        Assert.Equal(0, Queued(2));
        Assert.Equal(1, Queued(3));
    }

    [Fact]
    public void Mac_rewrites_change_only_the_addresses()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);

        ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.SetEthSrc(0x0a0b0c0d0e0f), DatapathAction.SetEthDst(Broadcast), DatapathAction.Output(2)]), _outputs);

        byte[] want = (byte[])frame.Clone();
        WriteMac(want, Broadcast);
        WriteMac(want.AsSpan(6), 0x0a0b0c0d0e0f);
        Assert.Equal(want, Out(2));
    }

    [Fact]
    public void Userspace_action_asks_for_an_upcall()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);

        Assert.True(ActionExecutor.Execute(frame, 1, DatapathActions.Create([DatapathAction.Userspace()]), _outputs));
        Assert.False(ActionExecutor.Execute(frame, 1, DatapathActions.OutputTo(2), _outputs));
        Assert.False(ActionExecutor.Execute(frame, 1, DatapathActions.Drop, _outputs));
    }

    [Fact]
    public void Full_batch_is_sent_before_appending_and_flush_sends_the_rest()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        var p2 = (MemoryPort)_ports[2];
        for (int i = 0; i < 40; i++)
        {
            ActionExecutor.Execute(frame, 1, DatapathActions.OutputTo(2), _outputs);
        }

        Assert.Equal(32, p2.SentCount);
        Assert.Equal(8, _outputs.Flush());
        Assert.Equal(40, p2.SentCount);
        Assert.Equal(0, _outputs.PendingPorts);
    }

    [Fact]
    public void Executing_with_vlan_rewrites_allocates_nothing()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        DatapathActions actions = DatapathActions.Create([DatapathAction.PushVlan(10), DatapathAction.Output(2), DatapathAction.PopVlan(), DatapathAction.Output(3)]);
        ActionExecutor.Execute(frame, 1, actions, _outputs);
        _outputs.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            ActionExecutor.Execute(frame, 1, actions, _outputs);
            _outputs.Clear();
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
