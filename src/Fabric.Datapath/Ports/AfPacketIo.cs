namespace Fabric.Datapath.Ports;

/// <summary>How an <see cref="AfPacketPort"/> moves frames between its socket and the batches (<see cref="AfPacketOptions.Io"/>).</summary>
public enum AfPacketIo
{
    /// <summary>
    /// recvmmsg/sendmmsg straight into and out of the batch slots: one system call per batch each way, the kernel
    /// copying every frame; a frame is readable as soon as it is queued. The default, for latency: see
    /// <see cref="Ring"/>. Configured as <c>fabric.datapath.af-packet-io = mmsg</c>.
    /// </summary>
    Mmsg,

    /// <summary>
    /// A PACKET_MMAP receive ring (packet(7)): the kernel writes received frames into a TPACKET_V3 ring shared with the
    /// process, which copies them into the batch slots without a system call; frames are sent with sendmmsg, which
    /// measured faster than a transmit ring (bench/Fabric.RingBench). Under a flood it takes a small fraction of
    /// <see cref="Mmsg"/>'s receive CPU per frame, but the kernel hands a block over only when it is full or after
    /// <see cref="AfPacketOptions.RingBlockTimeoutMs"/> (at least 1 ms), so at low rates every frame waits up to that
    /// long. Configured as <c>fabric.datapath.af-packet-io = ring</c>.
    /// </summary>
    Ring,

    /// <summary>
    /// <see cref="Ring"/> for receiving, and a TPACKET_V2 transmit ring for sending: frames are copied into the ring and
    /// sent with one send(2) per batch. Configured as <c>fabric.datapath.af-packet-io = ring-tx</c>.
    /// </summary>
    RingTx,
}
