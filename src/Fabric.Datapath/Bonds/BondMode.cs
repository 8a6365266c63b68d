namespace Fabric.Datapath.Bonds;

/// <summary>
/// How a bond spreads traffic over its members (OVS Port column <c>bond_mode</c>, ovs-facts §1.1). The
/// default when unset is <see cref="ActiveBackup"/>, as in OVS since 1.5.
/// </summary>
public enum BondMode
{
    /// <summary><c>active-backup</c>: everything leaves on the one active member; no hash buckets.</summary>
    ActiveBackup,

    /// <summary><c>balance-slb</c>: 256 buckets hashed from the source MAC and the logical VLAN; no LACP needed.</summary>
    BalanceSlb,

    /// <summary><c>balance-tcp</c>: 256 buckets hashed from the L3/L4 5-tuple; only while LACP is negotiated.</summary>
    BalanceTcp,
}
