namespace Fabric.Datapath.Ports;

/// <summary>The kinds of datapath port; the names are what <c>fabric ctl show</c> prints as <c>type:</c>.</summary>
public enum PortKind
{
    /// <summary>An existing kernel interface opened with an AF_PACKET socket ("system" in OVS).</summary>
    AfPacket,

    /// <summary>A TAP device created through /dev/net/tun ("tap" in OVS).</summary>
    Tap,

    /// <summary>A VXLAN tunnel endpoint (RFC 7348).</summary>
    Vxlan,

    /// <summary>An in-memory port for tests and benchmarks ("dummy" in OVS).</summary>
    Memory,
}
