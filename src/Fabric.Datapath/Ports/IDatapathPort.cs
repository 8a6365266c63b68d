using Fabric.Datapath.Buffers;

namespace Fabric.Datapath.Ports;

/// <summary>
/// One datapath port: a source and sink of Ethernet frames (AF_PACKET on an existing interface, a TAP
/// device, a VXLAN tunnel, or an in-memory pair in tests). Frames are moved in batches.
/// </summary>
/// <remarks>
/// Threading: one thread at a time calls <see cref="Receive"/>; <see cref="Send"/> may be called from
/// several threads at once provided each passes its own batch. Neither method blocks or allocates.
/// </remarks>
public interface IDatapathPort : IDisposable
{
    /// <summary>Interface name as the kernel knows it (e.g. "veth0", "tap3"), or a test name.</summary>
    string Name { get; }

    /// <summary>What kind of port this is; shown by <c>fabric ctl show</c>.</summary>
    PortKind Kind { get; }

    /// <summary>
    /// A file descriptor that becomes readable (POLLIN) when <see cref="Receive"/> has frames,
    /// for poll(2)/epoll; -1 for ports without one (in-memory ports are polled by calling Receive).
    /// </summary>
    int PollFd { get; }

    /// <summary>Carrier (link) state as the kernel reports it now (operstate/carrier); true for in-memory ports.</summary>
    bool CarrierUp { get; }

    /// <summary>Ethernet address of the interface (48 bits in the low bits, network order), 0 if none.</summary>
    ulong MacAddress { get; }

    /// <summary>Counters kept by the port itself (frames and bytes in and out, drops).</summary>
    PortCounters Counters { get; }

    /// <summary>
    /// How received frames map to datapath ports: the port's own (the default), set per frame by the port (a
    /// demultiplexer such as the VXLAN endpoint), or none at all (a port that never receives, such as a VXLAN tunnel).
    /// </summary>
    PortReceiveMode ReceiveMode => PortReceiveMode.Own;

    /// <summary>
    /// True when the port exchanges a virtio-net header with every frame (PACKET_VNET_HDR on an AF_PACKET socket,
    /// IFF_VNET_HDR on a TAP device): it receives GSO super-frames and partial checksums with their
    /// <see cref="PacketBatch.Vnet"/> header, and sends them the same way. A port without (the default) is given only
    /// complete frames: the datapath segments and checksums for it in software (<see cref="Offloads"/>).
    /// </summary>
    bool VnetHeaders => false;

    /// <summary>
    /// Receives up to <c>batch.Capacity</c> frames into <paramref name="batch"/> from slot 0, without
    /// blocking; sets <c>batch.Count</c> and each slot's length and returns the count (0 when nothing
    /// is waiting). Frames the port itself transmitted are never returned. Frames longer than a slot
    /// are dropped and counted in <see cref="PortCounters.RxDropped"/>.
    /// </summary>
    int Receive(PacketBatch batch);

    /// <summary>
    /// Transmits the first <c>batch.Count</c> frames of <paramref name="batch"/>; returns how many the
    /// kernel accepted (the rest are counted as <see cref="PortCounters.TxDropped"/>). Does not clear the batch.
    /// </summary>
    int Send(PacketBatch batch);
}
