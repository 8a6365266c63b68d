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
    /// How frames are received and sent: <see cref="AfPacketIo.Mmsg"/> (the default: recvmmsg/sendmmsg),
    /// <see cref="AfPacketIo.Ring"/> (a PACKET_MMAP receive ring, sendmmsg) or <see cref="AfPacketIo.RingTx"/> (receive
    /// and transmit rings). <see cref="AfPacketPort.Adopt"/> receives as the socket does: a socket with a receive ring
    /// (PACKET_VERSION TPACKET_V3) is mapped again, one without is read with recvmmsg; it sends through a transmit
    /// ring of its own when this is <see cref="AfPacketIo.RingTx"/> and the socket has a receive ring.
    /// </summary>
    public AfPacketIo Io { get; init; } = AfPacketIo.Mmsg;

    /// <summary>
    /// Bytes per block of the TPACKET_V3 receive ring (<see cref="AfPacketIo.Ring"/>): a multiple of 4096, at least
    /// 128 KiB (the default) so that a 64 KB GSO super-frame with its headers fits one block. A port that adopts a ring
    /// must be given the block size and count the ring was made with.
    /// </summary>
    public int RingBlockBytes { get; init; } = 128 * 1024;

    /// <summary>
    /// Blocks in the receive ring; 64 by default (8 MiB). At low rates the kernel hands over a block after
    /// <see cref="RingBlockTimeoutMs"/> however few frames it holds, so the ring bridges a reader's pause of only
    /// about blocks × timeout (64 ms) before it is full and the kernel drops; 4 blocks of 1 MiB lost frames whenever a
    /// poll thread slept through one 10 ms poll timeout.
    /// </summary>
    public int RingBlocks { get; init; } = 64;

    /// <summary>
    /// Milliseconds after which the kernel hands a receive block that is not full to the reader (tp_retire_blk_tov); the
    /// most a frame waits in the ring at low rates. 1 ms (the smallest) by default.
    /// </summary>
    public int RingBlockTimeoutMs { get; init; } = 1;

    /// <summary>
    /// Frame slots in the TPACKET_V2 transmit ring (<see cref="AfPacketIo.RingTx"/>), 2048 bytes each (a frame of up to 2006 bytes after its virtio-net
    /// header); a multiple of 32, 256 by default. Longer frames (GSO super-frames) are sent with sendmmsg.
    /// </summary>
    public int TxRingFrames { get; init; } = 256;

    /// <summary>
    /// Whether to set PACKET_IGNORE_OUTGOING on the socket (true). Tests turn it off to exercise the receive loop's own
    /// PACKET_OUTGOING filter, which is what runs on kernels older than 4.20.
    /// </summary>
    internal bool IgnoreOutgoingInKernel { get; init; } = true;
}
