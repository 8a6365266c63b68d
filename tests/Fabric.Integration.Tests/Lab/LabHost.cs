namespace Fabric.Integration.Tests.Lab;

/// <summary>One host of a lab: a namespace whose eth0 is attached to a fabric port.</summary>
/// <param name="Namespace">Network namespace name.</param>
/// <param name="PortName">The fabric's port for it (host-side veth or the TAP device's original name).</param>
/// <param name="Ip">IPv4 address of eth0 (/24).</param>
/// <param name="Mac">MAC of eth0, "02:…".</param>
/// <param name="Tap">Attached through a TAP port (else a veth/AF_PACKET port).</param>
/// <param name="Tag">Access VLAN, or null for an untagged trunk port.</param>
public sealed record LabHost(string Namespace, string PortName, string Ip, string Mac, bool Tap, int? Tag);
