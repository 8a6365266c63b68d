using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Tests.Support;

/// <summary>Megaflow masks the tests install with.</summary>
internal static class Masks
{
    /// <summary>What NORMAL un-wildcards for an IP frame: in_port, both MACs, EtherType, VLAN TCI and the fragment bits.</summary>
    public static FlowMask L2()
    {
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardDlType();
        wc.UnwildcardVlanTci();
        wc.UnwildcardNwFrag();
        return wc.ToMask();
    }
}
