namespace Fabric.Datapath.Ports;

/// <summary>How an <see cref="AfPacketPort"/> moves frames between its socket and the batches (<see cref="AfPacketOptions.Io"/>).</summary>
public enum AfPacketIo
{
    /// <summary>
    /// recvmmsg/sendmmsg straight into and out of the batch slots: one system call per batch each way, the kernel
    /// copying every frame. Configured as <c>fabric.datapath.af-packet-io = mmsg</c>.
    /// </summary>
    Mmsg,

    /// <summary>
    /// A PACKET_MMAP receive ring (packet(7)): the kernel writes received frames into a TPACKET_V3 ring shared with the
    /// process, which copies them into the batch slots without a system call; frames are sent with sendmmsg, which
    /// measured faster than a transmit ring (bench/Fabric.RingBench). The default. Configured as
    /// <c>fabric.datapath.af-packet-io = ring</c>.
    /// </summary>
    Ring,

    /// <summary>
    /// <see cref="Ring"/> for receiving, and a TPACKET_V2 transmit ring for sending: frames are copied into the ring and
    /// sent with one send(2) per batch. Configured as <c>fabric.datapath.af-packet-io = ring-tx</c>.
    /// </summary>
    RingTx,
}
