namespace Fabric.Integration.Tests.Differential;

/// <summary>One generated packet of a differential run.</summary>
/// <param name="Index">Position in the run (stable for a given seed).</param>
/// <param name="Category">What it exercises, e.g. "looped-back broadcast ARP on m2 (backup)"; "random" for the random fill.</param>
/// <param name="InPort">The port name it arrives on.</param>
/// <param name="Frame">The Ethernet frame.</param>
/// <param name="Description">One line: port, tag, MACs, kind.</param>
public sealed record TestPacket(int Index, string Category, string InPort, byte[] Frame, string Description);
