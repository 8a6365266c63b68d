namespace Fabric.Actors.Bridge;

/// <summary>A port's VLAN mode (OVS Port column <c>vlan_mode</c>, ovs-facts §2.3).</summary>
public enum VlanMode
{
    /// <summary>Carries only VLAN <c>tag</c>, untagged on the wire; tagged ingress frames are dropped.</summary>
    Access,

    /// <summary>Carries the VLANs in <c>trunks</c> (all when empty), tagged on the wire; untagged = VLAN 0.</summary>
    Trunk,

    /// <summary>Trunk whose untagged ingress is VLAN <c>tag</c>; egress always tagged.</summary>
    NativeTagged,

    /// <summary>Trunk whose untagged ingress is VLAN <c>tag</c>; egress in VLAN <c>tag</c> is untagged.</summary>
    NativeUntagged,
}
