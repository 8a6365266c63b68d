using System.Net;

namespace Fabric.Host.Configuration;

/// <summary>
/// A static VXLAN port (<c>type = vxlan</c>), what an Open vSwitch user writes as <c>type=vxlan options:remote_ip=…
/// options:key=…</c>: a tunnel from <paramref name="LocalIp"/> to <paramref name="RemoteIp"/> in VNI <paramref name="Key"/>,
/// over UDP <paramref name="DstPort"/> (RFC 7348).
/// </summary>
/// <param name="LocalIp">The local VTEP (<c>local_ip</c>, or <c>fabric.vtep</c> when the port has none): the VXLAN endpoint's address.</param>
/// <param name="RemoteIp">The remote VTEP (<c>remote_ip</c>).</param>
/// <param name="Key">The VNI (<c>key</c>, 0..16777215; 0 when not given, as in OVS).</param>
/// <param name="DstPort">The UDP port (<c>dst_port</c>, 4789 when not given), bound locally and sent to.</param>
public sealed record VxlanPortSettings(IPAddress LocalIp, IPAddress RemoteIp, uint Key, int DstPort);
