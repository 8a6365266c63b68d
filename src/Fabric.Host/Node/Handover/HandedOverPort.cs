namespace Fabric.Host.Node.Handover;

/// <summary>One port descriptor in the <c>ports</c> message of a handover, in the order of the attached descriptors.</summary>
/// <param name="Name">Interface name.</param>
/// <param name="Kind">"afpacket" (a bound AF_PACKET socket), "tap" (an attached TAP descriptor) or "vxlan" (a VXLAN endpoint's bound UDP socket).</param>
public sealed record HandedOverPort(string Name, string Kind);
