namespace Fabric.Datapath.Ports;

/// <summary>Socket settings for <see cref="AfPacketPort.Open"/>. The defaults suit a 10 Gb/s interface.</summary>
public sealed class AfPacketOptions
{
    /// <summary>Default receive buffer: 4 MiB (bytes), about 3 ms of 10 Gb/s line rate.</summary>
    public const int DefaultReceiveBufferBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Socket receive buffer in bytes, set with SO_RCVBUFFORCE (which ignores net.core.rmem_max; needs
    /// CAP_NET_ADMIN) and, failing that, SO_RCVBUF (capped by rmem_max). 0 keeps the kernel default.
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = DefaultReceiveBufferBytes;

    /// <summary>Socket send buffer in bytes (SO_SNDBUFFORCE, else SO_SNDBUF); 0 (the default) keeps the kernel default.</summary>
    public int SendBufferBytes { get; init; }

    /// <summary>
    /// Whether to put the interface into promiscuous mode for the socket's lifetime (PACKET_ADD_MEMBERSHIP with
    /// PACKET_MR_PROMISC; the kernel drops the membership when the socket closes). True by default: a switch port
    /// must see frames for every destination MAC.
    /// </summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>
    /// Whether the socket carries a virtio-net header with every frame (PACKET_VNET_HDR, packet(7)), so that an interface
    /// with checksum and segmentation offloads on (the kernel default) hands over GSO super-frames and partial checksums
    /// whole, and takes them back whole. False (the default here): plain frames, and the interface must have its
    /// offloads off. Not applied by <see cref="AfPacketPort.Adopt"/>, which reads it from the socket.
    /// </summary>
    public bool VnetHeaders { get; init; }

    /// <summary>
    /// Whether to set PACKET_IGNORE_OUTGOING on the socket (true). Tests turn it off to exercise the receive loop's own
    /// PACKET_OUTGOING filter, which is what runs on kernels older than 4.20.
    /// </summary>
    internal bool IgnoreOutgoingInKernel { get; init; } = true;
}
