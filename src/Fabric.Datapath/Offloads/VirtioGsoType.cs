namespace Fabric.Datapath.Offloads;

/// <summary>The <c>gso_type</c> byte of <see cref="VirtioNetHeader"/> (virtio spec 1.1 §5.1.6, linux/virtio_net.h).</summary>
[Flags]
public enum VirtioGsoType : byte
{
    /// <summary>VIRTIO_NET_HDR_GSO_NONE: not a GSO frame.</summary>
    None = 0,

    /// <summary>VIRTIO_NET_HDR_GSO_TCPV4: TCP over IPv4, cut into gso_size-byte segments (TSO).</summary>
    TcpV4 = 1,

    /// <summary>VIRTIO_NET_HDR_GSO_UDP: UDP fragmentation offload (UFO), IP fragments.</summary>
    Udp = 3,

    /// <summary>VIRTIO_NET_HDR_GSO_TCPV6: TCP over IPv6 (TSO6).</summary>
    TcpV6 = 4,

    /// <summary>VIRTIO_NET_HDR_GSO_UDP_L4: UDP segmentation (USO), one UDP datagram per segment.</summary>
    UdpL4 = 5,

    /// <summary>VIRTIO_NET_HDR_GSO_ECN: the TCP flow uses ECN (CWR stays on the first segment only).</summary>
    Ecn = 0x80,
}
