using Fabric.Datapath.Actions;
using Xunit;

namespace Fabric.Datapath.Tests.Actions;

public class DatapathActionsTests
{
    [Fact]
    public void Odp_strings_match_ovs_datapath_actions()
    {
        Assert.Equal("2", DatapathActions.OutputTo(2).ToString());
        Assert.Equal("12,10", DatapathActions.OutputTo(12, 10).ToString());
        Assert.Equal("drop", DatapathActions.Drop.ToString());
        Assert.Equal("drop", DatapathActions.Create([]).ToString());
        Assert.Equal(
            "pop_vlan,4,push_vlan(vid=10,pcp=0),2,100,3",
            DatapathActions.Create([
                DatapathAction.PopVlan(), DatapathAction.Output(4), DatapathAction.PushVlan(10), DatapathAction.Output(2),
                DatapathAction.Output(100), DatapathAction.Output(3),
            ]).ToString());
        Assert.Equal(
            "push_vlan(vid=10,pcp=0),1,2,100,3",
            DatapathActions.Create([
                DatapathAction.PushVlanTag(10, 0), DatapathAction.Output(1), DatapathAction.Output(2), DatapathAction.Output(100),
                DatapathAction.Output(3),
            ]).ToString());
        Assert.Equal("userspace(pid=0,slow_path(action))", DatapathActions.Create([DatapathAction.Userspace()]).ToString());
    }

    [Fact]
    public void Push_with_service_tpid_and_pcp_prints_tpid_first()
    {
        Assert.Equal("push_vlan(tpid=0x88a8,vid=300,pcp=5)", DatapathAction.PushVlanTag(300, 5, 0x88a8).ToString());
        Assert.Equal("set(eth(src=02:00:00:00:00:01))", DatapathAction.SetEthSrc(0x020000000001).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => DatapathAction.PushVlan((ushort)1, (ushort)0x9100));
    }

    [Fact]
    public void Equality_is_by_value_and_order()
    {
        DatapathActions a = DatapathActions.OutputTo(1, 3);
        DatapathActions b = DatapathActions.Create([DatapathAction.Output(1), DatapathAction.Output(3)]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, DatapathActions.OutputTo(3, 1));
        Assert.True(DatapathActions.Drop.IsDrop);
        Assert.Equal(2, a.Count);
    }
}
