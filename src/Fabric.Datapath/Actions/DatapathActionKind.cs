namespace Fabric.Datapath.Actions;

/// <summary>The kinds of datapath action (a subset of OVS's <c>OVS_ACTION_ATTR_*</c>).</summary>
public enum DatapathActionKind : byte
{
    /// <summary>Send a copy of the frame, as modified so far, to a port (ODP "N").</summary>
    Output,

    /// <summary>Insert a VLAN tag after the MAC addresses (ODP "push_vlan(vid=V,pcp=P)").</summary>
    PushVlan,

    /// <summary>Remove the outermost VLAN tag, if any (ODP "pop_vlan").</summary>
    PopVlan,

    /// <summary>Rewrite the outermost tag's TCI, pushing an 802.1Q tag if the frame is untagged.</summary>
    SetVlanTci,

    /// <summary>Send the packet to the slow path (ODP "userspace(pid=0,slow_path(action))").</summary>
    Userspace,

    /// <summary>Rewrite the Ethernet source address (ODP "set(eth(src=…))").</summary>
    SetEthSrc,

    /// <summary>Rewrite the Ethernet destination address (ODP "set(eth(dst=…))").</summary>
    SetEthDst,

    /// <summary>
    /// Output to a bond: the bucket the packet hashed to is mapped to a member by the datapath's bond table at
    /// packet time (ODP "lb_output(B)", OVS's userspace load-balanced output, ovs-facts §1.2).
    /// </summary>
    Bond,
}
