namespace Fabric.Actors.Bonds;

/// <summary>One interface of a bond.</summary>
/// <param name="Name">Interface name.</param>
/// <param name="DpPort">Its datapath port number.</param>
/// <param name="MacAddress">Its Ethernet address (48 bits), 0 when unknown; shown as the active member's MAC.</param>
public sealed record BondMemberSettings(string Name, ushort DpPort, ulong MacAddress);
