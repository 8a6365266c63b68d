namespace Fabric.Host.Cli;

/// <summary>One MAC learning table entry as <c>fdb/show</c> prints it (ovs-facts §2.4).</summary>
/// <param name="Bridge">The bridge that owns the entry; printed only in the multi-bridge layout.</param>
/// <param name="Port">The port name (or OpenFlow port number as text) the MAC was learned on.</param>
/// <param name="Vlan">The VLAN ID, 0–4095 (0 = untagged / native).</param>
/// <param name="Mac">The MAC address in lower-case colon form, e.g. <c>50:54:00:00:00:01</c>.</param>
/// <param name="AgeSeconds">Seconds since the entry was last refreshed; null for a static entry (<c>fdb/add</c>), printed as <c>static</c>.</param>
/// <param name="RemoteNode">For a MAC learned on a VXLAN tunnel port: the cluster node behind it, printed as <c>remote: NODE</c> after the age; null otherwise.</param>
public sealed record FdbRow(string Bridge, string Port, int Vlan, string Mac, int? AgeSeconds, string? RemoteNode = null);
