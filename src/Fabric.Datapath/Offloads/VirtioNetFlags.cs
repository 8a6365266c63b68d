namespace Fabric.Datapath.Offloads;

/// <summary>The <c>flags</c> byte of <see cref="VirtioNetHeader"/> (virtio spec 1.1 §5.1.6, linux/virtio_net.h).</summary>
[Flags]
public enum VirtioNetFlags : byte
{
    /// <summary>No flag: a complete frame.</summary>
    None = 0,

    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset holds only the pseudo-header sum.</summary>
    NeedsCsum = 1,

    /// <summary>VIRTIO_NET_HDR_F_DATA_VALID: the receiver already verified the checksum (receive side only).</summary>
    DataValid = 2,
}
