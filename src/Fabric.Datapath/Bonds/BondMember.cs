namespace Fabric.Datapath.Bonds;

/// <summary>One member of a bond as the datapath knows it.</summary>
/// <param name="DpPort">The member interface's datapath port number.</param>
/// <param name="Enabled">The bond sends on it (link up past updelay, and LACP allows it).</param>
/// <param name="MayEnable">LACP (or the absence of LACP) allows it (OVS may_enable); with LACP negotiated input is accepted on it.</param>
public readonly record struct BondMember(ushort DpPort, bool Enabled, bool MayEnable);
