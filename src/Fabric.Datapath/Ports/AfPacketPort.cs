using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Ports.Rings;

namespace Fabric.Datapath.Ports;

/// <summary>
/// A datapath port on an existing kernel interface, through a raw AF_PACKET socket (OVS's "system" port type):
/// bound to the interface's ifindex, promiscuous, non-blocking, frames moved in batches either through PACKET_MMAP
/// rings (<see cref="AfPacketIo.Ring"/>) or with recvmmsg/sendmmsg straight into and out of <see cref="PacketBatch"/>
/// slots (<see cref="AfPacketIo.Mmsg"/>).
/// </summary>
/// <remarks>
/// <para>
/// Rings (<see cref="AfPacketOptions.Io"/> = <see cref="AfPacketIo.Ring"/>): the socket has a TPACKET_V3
/// receive ring that <see cref="Receive"/> copies frames from without a system call (<see cref="Rings.PacketRxRing"/>).
/// With <see cref="AfPacketIo.RingTx"/> the port also sends through a TPACKET_V2 transmit ring on a send-only socket of
/// its own (<see cref="Rings.PacketTxRing"/>), one send(2) per batch. Frames longer than a transmit slot (GSO super-frames) and a sender that finds the ring taken by
/// another thread use sendmmsg on the receiving socket instead. A ring frame carries the same virtio-net header as
/// recvmmsg does with PACKET_VNET_HDR, and a receive block holds a 64 KB super-frame, so both modes take the same
/// traffic.
/// </para>
/// <para>
/// Offloads: opened with <see cref="AfPacketOptions.VnetHeaders"/>, the socket has PACKET_VNET_HDR (packet(7)): every
/// frame comes with a <see cref="VirtioNetHeader"/>, kept in its slot's <see cref="PacketBatch.Vnet"/>, so GSO
/// super-frames (up to 64 KB; the batch needs <see cref="PacketBatch.LargeSlotSize"/> slots) and partial checksums
/// are received and sent whole, and the interface may keep its offloads on. Without it the port exchanges plain
/// Ethernet frames and cannot carry partial checksums or oversized (TSO/GSO/GRO) segments: checksum and segmentation
/// offloads must then be off on the interface and its peer (<c>ethtool -K &lt;dev&gt; tx off tso off gso off gro
/// off</c>); with offloads on, frames longer than a slot are dropped and counted.
/// </para>
/// <para>
/// VLANs: when the driver strips an 802.1Q/802.1ad tag on receive (rx VLAN offload), the kernel reports it in a
/// PACKET_AUXDATA control message (TP_STATUS_VLAN_VALID, tp_vlan_tci, tp_vlan_tpid) and the port re-inserts the tag
/// after the source MAC, so the datapath always sees the frame as it was on the wire.
/// </para>
/// <para>
/// Own transmissions: frames sent by this host on the interface (sll_pkttype PACKET_OUTGOING) are never returned;
/// the socket sets PACKET_IGNORE_OUTGOING (Linux 4.20+) and the receive loop drops PACKET_OUTGOING frames as well.
/// </para>
/// <para>
/// Threading follows <see cref="IDatapathPort"/>: one receiving thread; <see cref="Send"/> from several threads,
/// each with its own batch. Receive uses message headers preallocated once in pinned memory; Send builds its
/// headers on the calling thread's stack (64 frames per sendmmsg call), so concurrent senders share nothing.
/// Neither allocates. Dispose only after the threads that call Receive and Send have stopped.
/// </para>
/// <para>
/// Restart handover: <see cref="PollFd"/> is the socket's descriptor. A running process stops its receive threads,
/// passes the descriptor to its successor (<see cref="Native.FdPassing.Send"/>), which wraps it with
/// <see cref="Adopt"/>, and then disposes its own port. Both descriptors name one socket: its binding, options,
/// promiscuous membership and queued frames carry over, and the kernel keeps queuing frames while nobody reads.
/// </para>
/// </remarks>
public sealed unsafe class AfPacketPort : IDatapathPort
{
    /// <summary>Frames handed to one sendmmsg call; the message headers live on the sender's stack.</summary>
    private const int SendChunk = 64;

    /// <summary>CMSG_SPACE(sizeof(tpacket_auxdata)) rounded up: 16-byte header + 24-byte aligned data, per frame.</summary>
    private const int ControlBytesPerFrame = 64;

    /// <summary>Length of the two MAC addresses before the EtherType/TPID (bytes).</summary>
    private const int MacHeaderBytes = 12;

    /// <summary>Length of one 802.1Q tag (TPID + TCI, bytes).</summary>
    private const int VlanTagBytes = 4;

    private readonly string _name;
    private readonly int _ifIndex;
    private readonly ulong _mac;
    private readonly PortCounters _counters = new();
    private readonly BacklogCounter _backlog = new();
    private readonly bool _vnet;
    private readonly PacketRxRing? _rxRing;
    private readonly PacketTxRing? _txRing;
    private int _fd;

    // 1 while a sender owns the transmit ring; a sender that finds it 1 uses sendmmsg (no one waits).
    private int _txRingBusy;

    // Receive-side scratch, pinned on the POH: mmsghdr[n], iovec[2n] (vnet header, frame), sockaddr_ll[n], control[n * 64].
    private byte[] _rxScratch = [];
    private int _rxCapacity;
    private MMsgHdr* _rxMsgs;
    private IoVec* _rxIov;
    private SockAddrLl* _rxAddrs;
    private byte* _rxControl;

    private AfPacketPort(string name, int ifIndex, ulong mac, int fd, bool vnet, PacketRxRing? rxRing, PacketTxRing? txRing)
    {
        _vnet = vnet;
        _rxRing = rxRing;
        _txRing = txRing;
        _name = name;
        _ifIndex = ifIndex;
        _mac = mac;
        _fd = fd;
        EnsureReceiveCapacity(PacketBatch.DefaultCapacity);
    }

    /// <summary>Closes the socket if <see cref="Dispose"/> was never called.</summary>
    ~AfPacketPort()
    {
        CloseSocket();
    }

    /// <inheritdoc/>
    public string Name => _name;

    /// <inheritdoc/>
    public PortKind Kind => PortKind.AfPacket;

    /// <summary>True when the socket has PACKET_VNET_HDR (<see cref="AfPacketOptions.VnetHeaders"/>; after <see cref="Adopt"/>, as the socket has it).</summary>
    public bool VnetHeaders => _vnet;

    /// <summary>
    /// How the port moves frames: <see cref="AfPacketIo.Mmsg"/> when the socket has no receive ring, else
    /// <see cref="AfPacketIo.RingTx"/> with a transmit ring and <see cref="AfPacketIo.Ring"/> without (see
    /// <see cref="AfPacketOptions.Io"/>; after <see cref="Adopt"/>, as the socket has it).
    /// </summary>
    public AfPacketIo Io => _rxRing is null ? AfPacketIo.Mmsg : _txRing is null ? AfPacketIo.Ring : AfPacketIo.RingTx;

    /// <summary>
    /// The AF_PACKET socket's descriptor; readable (POLLIN) when frames are waiting, and the descriptor to hand to a
    /// successor process (<see cref="Native.FdPassing.Send"/>, then <see cref="Adopt"/> there). The port keeps owning
    /// it. -1 after <see cref="Dispose"/>.
    /// </summary>
    public int PollFd => Volatile.Read(ref _fd);

    /// <summary>
    /// The socket's PACKET_STATISTICS (packet(7)): frames it received (queued or read) and frames it dropped because
    /// its receive buffer was full, since the previous call by any process sharing the socket; reading resets both. A
    /// restart resets them when the old process stops reading and reads them when the successor starts: the frames
    /// that waited in the buffer through the switch-over, and those it lost. (0, 0) after <see cref="Dispose"/>.
    /// </summary>
    public (long Received, long Dropped) TakeStatistics() => TakeStatistics(Volatile.Read(ref _fd));

    /// <summary>
    /// <see cref="TakeStatistics()"/> on any AF_PACKET socket descriptor, e.g. one a keeper process holds for its node
    /// without wrapping it in a port: (frames received including the dropped ones, frames dropped) since the previous
    /// read by any process sharing the socket; reading resets both. (0, 0) when <paramref name="fd"/> is negative or
    /// not an AF_PACKET socket.
    /// </summary>
    /// <param name="fd">An AF_PACKET socket's descriptor.</param>
    public static (long Received, long Dropped) TakeStatistics(int fd)
    {
        if (fd < 0)
        {
            return (0, 0);
        }

        uint* stats = stackalloc uint[2];
        uint length = 2 * sizeof(uint);
        return LibC.GetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_STATISTICS, stats, &length) == 0
            ? (stats[0], stats[1])
            : (0, 0);
    }

    /// <summary>The frames a restarted reader found waiting on the socket (armed by the node that takes it over).</summary>
    public BacklogCounter Backlog => _backlog;

    /// <summary>Kernel index of the interface the socket is bound to.</summary>
    public int IfIndex => _ifIndex;

    /// <summary>
    /// The interface's carrier as the kernel reports it in /sys/class/net/&lt;name&gt;/carrier ("1" = up); false when
    /// the file is missing or unreadable (interface gone, or administratively down) or the port is disposed. For a
    /// veth, this follows the peer: <c>ip link set PEER down</c> clears it. Reads a file: not for the per-packet path.
    /// </summary>
    public bool CarrierUp => PollFd >= 0 && InterfaceInfo.ReadCarrier(_name) == true;

    /// <summary>The interface's Ethernet address when the port was opened (48 bits in the low bits, first wire byte most significant).</summary>
    public ulong MacAddress => _mac;

    /// <inheritdoc/>
    public PortCounters Counters => _counters;

    /// <summary>
    /// Opens a raw AF_PACKET socket on the existing interface <paramref name="ifName"/>: non-blocking and
    /// close-on-exec, bound to the interface's ifindex for all EtherTypes (ETH_P_ALL), with PACKET_AUXDATA,
    /// PACKET_IGNORE_OUTGOING where the kernel has it, the receive buffer from <paramref name="options"/>, and the
    /// interface in promiscuous mode while the socket is open. The socket is created with protocol 0 and only
    /// starts receiving at bind, so no frame from another interface is ever queued on it.
    /// </summary>
    /// <param name="ifName">Kernel interface name (1..15 characters) in the caller's network namespace.</param>
    /// <param name="options">Socket settings; null for the defaults.</param>
    /// <returns>The open port; dispose it to close the socket (the interface itself is left as it was).</returns>
    /// <exception cref="PortException">
    /// The name is invalid, the interface does not exist, or a system call failed; the one-line message names the
    /// interface and the errno text, e.g. "cannot open AF_PACKET on 'veth9': No such device".
    /// </exception>
    public static AfPacketPort Open(string ifName, AfPacketOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ifName);
        options ??= new AfPacketOptions();
        const string action = "cannot open AF_PACKET on";
        string? problem = InterfaceInfo.NameProblem(ifName);
        if (problem is not null)
        {
            throw new PortException(ifName, $"{action} '{ifName}': interface name {problem}");
        }

        bool ring = options.Io != AfPacketIo.Mmsg;
        bool txRingWanted = options.Io == AfPacketIo.RingTx;
        problem = ring ? PacketRxRing.GeometryProblem(options) ?? (txRingWanted ? PacketTxRing.SizeProblem(options.TxRingFrames) : null) : null;
        if (problem is not null)
        {
            throw new PortException(ifName, $"{action} '{ifName}': {problem}");
        }

        int ifIndex = IfIndexOf(ifName, action);
        int fd = LibC.Socket(
            LinuxConstants.AF_PACKET,
            LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC,
            0);
        if (fd < 0)
        {
            throw PortException.FromErrno(action, ifName, Errno.Last);
        }

        PacketRxRing? rxRing = null;
        PacketTxRing? txRing = null;
        try
        {
            SetPacketFlags(fd, ifName, options, action);
            int one = 1;
            if (options.VnetHeaders
                && LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_VNET_HDR, &one, sizeof(int)) < 0)
            {
                throw PortException.FromErrno(action + " (PACKET_VNET_HDR)", ifName, Errno.Last);
            }

            SetBuffer(fd, ifName, options.ReceiveBufferBytes, LinuxConstants.SO_RCVBUFFORCE, LinuxConstants.SO_RCVBUF, "SO_RCVBUF");
            SetBuffer(fd, ifName, options.SendBufferBytes, LinuxConstants.SO_SNDBUFFORCE, LinuxConstants.SO_SNDBUF, "SO_SNDBUF");
            if (ring)
            {
                // Before bind, so that every frame the socket ever receives lands in the ring.
                rxRing = PacketRxRing.Create(fd, ifName, options, action);
            }

            SockAddrLl addr = default;
            addr.Family = LinuxConstants.AF_PACKET;
            addr.Protocol = BinaryPrimitives.ReverseEndianness(LinuxConstants.ETH_P_ALL);
            addr.IfIndex = ifIndex;
            if (LibC.Bind(fd, &addr, (uint)sizeof(SockAddrLl)) < 0)
            {
                throw PortException.FromErrno(action, ifName, Errno.Last);
            }

            if (options.Promiscuous)
            {
                PacketMreq mreq = default;
                mreq.IfIndex = ifIndex;
                mreq.Type = LinuxConstants.PACKET_MR_PROMISC;
                if (LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_ADD_MEMBERSHIP, &mreq, (uint)sizeof(PacketMreq)) < 0)
                {
                    throw PortException.FromErrno(action + " (promiscuous mode)", ifName, Errno.Last);
                }
            }

            ulong mac = MacOf(ifName, action);
            txRing = txRingWanted ? PacketTxRing.Open(ifName, ifIndex, options.VnetHeaders, options.TxRingFrames, action) : null;
            return new AfPacketPort(ifName, ifIndex, mac, fd, options.VnetHeaders, rxRing, txRing);
        }
        catch
        {
            rxRing?.Dispose();
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Wraps <paramref name="fd"/>, an AF_PACKET socket another process opened with <see cref="Open"/> on
    /// <paramref name="ifName"/> and passed here (<see cref="Native.FdPassing.Receive"/>), without re-creating or
    /// re-binding it, so frames the kernel queued on it meanwhile are received next. The socket must be a SOCK_RAW
    /// AF_PACKET socket bound (getsockname(2)) for ETH_P_ALL to the ifindex that <paramref name="ifName"/> has in the
    /// caller's network namespace; the interface index and MAC are read by name as <see cref="Open"/> does.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Left as they are, because they belong to the socket, which both processes share: the binding, SO_RCVBUF and
    /// SO_SNDBUF (the sizes in <paramref name="options"/> are not applied), the promiscuous membership (it lasts until
    /// the socket's last descriptor closes; <see cref="AfPacketOptions.Promiscuous"/> is not applied either), the
    /// queued frames and PACKET_VNET_HDR: the port reads it from the socket (getsockopt) and has
    /// <see cref="VnetHeaders"/> as the socket does, whatever <see cref="AfPacketOptions.VnetHeaders"/> says.
    /// </para>
    /// <para>
    /// Applied: FD_CLOEXEC on this descriptor (per process); O_NONBLOCK if the file lacks it (shared, but
    /// <see cref="Open"/> always sets it, so normally nothing changes); PACKET_AUXDATA and, unless the options turn it
    /// off, PACKET_IGNORE_OUTGOING set to 1 again. Those two are per-socket flags that <see cref="Open"/> already set;
    /// setting them again changes nothing then, touches no queued frame (auxdata is built at each recvmsg(2)), and
    /// makes sure the receive loop's VLAN re-insertion works on a socket opened by some other code.
    /// </para>
    /// </remarks>
    /// <param name="fd">The received descriptor. On success the port owns it (<see cref="Dispose"/> closes it); on an exception the caller still does.</param>
    /// <param name="ifName">Kernel interface name the socket is bound to, in the caller's network namespace.</param>
    /// <param name="options">Only <c>PACKET_IGNORE_OUTGOING</c> is taken from it; null for the defaults.</param>
    /// <returns>The port, receiving and sending on the existing socket.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="PortException">
    /// The name is invalid, the interface does not exist, the descriptor is not such a socket or a system call
    /// failed; the one-line message names the interface, e.g. "cannot adopt descriptor 9 as AF_PACKET on 'veth0':
    /// Socket operation on non-socket" or "… on 'veth0': the socket is bound to ifindex 7, 'veth0' has ifindex 12".
    /// </exception>
    public static AfPacketPort Adopt(int fd, string ifName, AfPacketOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        ArgumentNullException.ThrowIfNull(ifName);
        options ??= new AfPacketOptions();
        string action = $"cannot adopt descriptor {fd} as AF_PACKET on";
        string? problem = InterfaceInfo.NameProblem(ifName);
        if (problem is not null)
        {
            throw new PortException(ifName, $"{action} '{ifName}': interface name {problem}");
        }

        SockAddrLl addr = default;
        uint addrLength = (uint)sizeof(SockAddrLl);
        if (LibCMsg.GetSockName(fd, &addr, &addrLength) < 0)
        {
            throw PortException.FromErrno(action, ifName, Errno.Last);
        }

        int type = 0;
        uint typeLength = sizeof(int);
        if (LibC.GetSockOpt(fd, LinuxConstants.SOL_SOCKET, LibCMsg.SO_TYPE, &type, &typeLength) < 0)
        {
            throw PortException.FromErrno(action + " (SO_TYPE)", ifName, Errno.Last);
        }

        int ifIndex = IfIndexOf(ifName, action);
        string? mismatch =
            addr.Family != LinuxConstants.AF_PACKET ? $"the socket is of address family {addr.Family}, not AF_PACKET"
            : type != LinuxConstants.SOCK_RAW ? $"the socket is of type {type}, not SOCK_RAW"
            : addr.Protocol != BinaryPrimitives.ReverseEndianness(LinuxConstants.ETH_P_ALL) ? $"the socket is bound for EtherType 0x{BinaryPrimitives.ReverseEndianness(addr.Protocol):x4}, not ETH_P_ALL"
            : addr.IfIndex != ifIndex ? $"the socket is bound to ifindex {addr.IfIndex}, '{ifName}' has ifindex {ifIndex}"
            : null;
        if (mismatch is not null)
        {
            throw new PortException(ifName, $"{action} '{ifName}': {mismatch}");
        }

        int errno = LibCMsg.SetCloseOnExec(fd, on: true);
        if (errno == 0)
        {
            errno = LibCMsg.EnsureNonBlocking(fd);
        }

        if (errno != 0)
        {
            throw PortException.FromErrno(action + " (fcntl)", ifName, errno);
        }

        SetPacketFlags(fd, ifName, options, action);
        int vnet = 0;
        uint vnetLength = sizeof(int);
        if (LibC.GetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_VNET_HDR, &vnet, &vnetLength) < 0)
        {
            throw PortException.FromErrno(action + " (PACKET_VNET_HDR)", ifName, Errno.Last);
        }

        int version = 0;
        uint versionLength = sizeof(int);
        if (LibC.GetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_VERSION, &version, &versionLength) < 0)
        {
            throw PortException.FromErrno(action + " (PACKET_VERSION)", ifName, Errno.Last);
        }

        ulong mac = MacOf(ifName, action);
        if (version != LinuxConstants.TPACKET_V3)
        {
            return new AfPacketPort(ifName, ifIndex, mac, fd, vnet != 0, null, null);
        }

        bool txRingWanted = options.Io == AfPacketIo.RingTx;
        string? geometry = PacketRxRing.GeometryProblem(options) ?? (txRingWanted ? PacketTxRing.SizeProblem(options.TxRingFrames) : null);
        if (geometry is not null)
        {
            throw new PortException(ifName, $"{action} '{ifName}': {geometry}");
        }

        PacketRxRing rxRing = PacketRxRing.Map(fd, ifName, options, action);
        try
        {
            PacketTxRing? txRing = txRingWanted ? PacketTxRing.Open(ifName, ifIndex, vnet != 0, options.TxRingFrames, action) : null;
            return new AfPacketPort(ifName, ifIndex, mac, fd, vnet != 0, rxRing, txRing);
        }
        catch
        {
            rxRing.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Receives up to <c>batch.Capacity</c> frames with recvmmsg(MSG_DONTWAIT) directly into the batch's slots,
    /// from slot 0, and returns how many were kept (0 when nothing is waiting). Frames that were truncated
    /// (MSG_TRUNC: longer than <see cref="PacketBatch.SlotSize"/>, or no room left to re-insert a stripped VLAN tag)
    /// are dropped and counted in <see cref="PortCounters.RxDropped"/>; PACKET_OUTGOING frames are skipped.
    /// Never blocks, never allocates (unless a batch larger than any seen before grows the pinned headers once).
    /// </summary>
    public int Receive(PacketBatch batch)
    {
        int capacity = batch.Capacity;
        int fd = Volatile.Read(ref _fd);
        int count = 0;
        if (fd < 0)
        {
            batch.Count = 0;
            return 0;
        }

        if (_rxRing is { } rxRing)
        {
            return ReceiveFromRing(rxRing, batch);
        }

        if (capacity > _rxCapacity)
        {
            EnsureReceiveCapacity(capacity);
        }

        int slotSize = batch.SlotSize;
        bool vnet = _vnet;
        int headerBytes = vnet ? VirtioNetHeader.Size : 0;
        long bytes = 0;
        int dropped = 0;
        int taken = 0;
        bool emptied = false;
        while (count < capacity)
        {
            int want = capacity - count;
            for (int i = 0; i < want; i++)
            {
                IoVec* iov = _rxIov + (2 * i);
                int parts = 1;
                if (vnet)
                {
                    iov->Base = (byte*)batch.VnetPointer(count + i);
                    iov->Len = VirtioNetHeader.Size;
                    parts = 2;
                }

                iov[parts - 1].Base = batch.SlotPointer(count + i);
                iov[parts - 1].Len = (nuint)slotSize;
                MMsgHdr* m = _rxMsgs + i;
                m->Hdr.Name = _rxAddrs + i;
                m->Hdr.NameLen = (uint)sizeof(SockAddrLl);
                m->Hdr.Iov = iov;
                m->Hdr.IovLen = (nuint)parts;
                m->Hdr.Control = _rxControl + (i * ControlBytesPerFrame);
                m->Hdr.ControlLen = ControlBytesPerFrame;
                m->Hdr.Flags = 0;
                m->Len = 0;
            }

            int n = LibC.RecvMMsg(fd, _rxMsgs, (uint)want, LinuxConstants.MSG_DONTWAIT, null);
            if (n <= 0)
            {
                // EAGAIN: nothing (more) waiting. EINTR or a pending socket error (ENETDOWN after the
                // interface went down) also end this call; the poll loop calls again.
                emptied = true;
                break;
            }

            taken += n;

            int write = count;
            for (int i = 0; i < n; i++)
            {
                MMsgHdr* m = _rxMsgs + i;
                if (_rxAddrs[i].PktType == LinuxConstants.PACKET_OUTGOING)
                {
                    continue;
                }

                int length = (int)m->Len - headerBytes;
                if ((m->Hdr.Flags & LinuxConstants.MSG_TRUNC) != 0 || length > slotSize || length < 0)
                {
                    dropped++;
                    continue;
                }

                byte* frame = batch.SlotPointer(count + i);
                int received = length;
                if (!ReinsertVlanTag(m, frame, ref length, slotSize))
                {
                    dropped++;
                    continue;
                }

                if (write != count + i)
                {
                    Buffer.MemoryCopy(frame, batch.SlotPointer(write), slotSize, length);
                }

                if (vnet)
                {
                    // The header was read into slot count + i's metadata; a re-inserted tag moves its offsets.
                    VirtioNetHeader header = *batch.VnetPointer(count + i);
                    header.Shift(length - received);
                    batch.SetLength(write, length, header);
                }
                else
                {
                    batch.SetLength(write, length);
                }
                bytes += length;
                write++;
            }

            count = write;
            if (n < want)
            {
                emptied = true;
                break;
            }
        }

        return ReceiveAccounting.Complete(batch, _counters, _backlog, count, bytes, dropped, taken, emptied);
    }

    /// <summary>
    /// Transmits the first <c>batch.Count</c> frames and returns how many the kernel accepted: through the transmit ring
    /// (<see cref="AfPacketIo.RingTx"/>; the rest are dropped when the ring is full) unless a frame is longer than a ring
    /// slot or another thread is using the ring, else as described for sendmmsg below. Drops are counted in
    /// <see cref="PortCounters.TxDropped"/>. Never blocks, never allocates; safe to call from several threads with
    /// different batches.
    /// </summary>
    public int Send(PacketBatch batch)
    {
        if (_txRing is { } txRing && batch.Count > 0 && Volatile.Read(ref _fd) >= 0
            && txRing.Fits(batch) && Interlocked.CompareExchange(ref _txRingBusy, 1, 0) == 0)
        {
            int sent = txRing.Send(batch, out long bytes, out int dropped);
            Volatile.Write(ref _txRingBusy, 0);
            _counters.AddTxResult(sent, bytes, dropped);
            return sent;
        }

        return SendMMsg(batch);
    }

    /// <summary>
    /// Transmits the first <c>batch.Count</c> frames with sendmmsg (up to 64 per call) on the bound interface and
    /// returns how many the kernel accepted. When the socket's send queue is full (EAGAIN, ENOBUFS) or the interface
    /// is down, the remaining frames are dropped; a frame the kernel rejects on its own (EMSGSIZE: longer than the
    /// MTU allows; EINVAL: shorter than an Ethernet header) is dropped and the rest still go. Drops are counted in
    /// <see cref="PortCounters.TxDropped"/>. Never blocks, never allocates; safe to call from several threads with
    /// different batches.
    /// </summary>
    [SkipLocalsInit]
    private int SendMMsg(PacketBatch batch)
    {
        int total = batch.Count;
        if (total == 0)
        {
            return 0;
        }

        int fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            _counters.AddTxDropped(total);
            return 0;
        }

        MMsgHdr* msgs = stackalloc MMsgHdr[SendChunk];
        IoVec* iovs = stackalloc IoVec[2 * SendChunk];
        bool vnet = _vnet;
        int parts = vnet ? 2 : 1;
        int next = 0;
        int sent = 0;
        int dropped = 0;
        long bytes = 0;
        int chunkStart = -1;
        int chunkLength = 0;
        while (next < total)
        {
            if (chunkStart < 0 || next >= chunkStart + chunkLength)
            {
                chunkStart = next;
                chunkLength = Math.Min(SendChunk, total - next);
                for (int k = 0; k < chunkLength; k++)
                {
                    IoVec* iov = iovs + (2 * k);
                    if (vnet)
                    {
                        iov->Base = (byte*)batch.VnetPointer(next + k);
                        iov->Len = VirtioNetHeader.Size;
                    }

                    iov[parts - 1].Base = batch.SlotPointer(next + k);
                    iov[parts - 1].Len = (nuint)batch.Length(next + k);
                    MMsgHdr* m = msgs + k;
                    m->Hdr.Name = null;
                    m->Hdr.NameLen = 0;
                    m->Hdr.Iov = iov;
                    m->Hdr.IovLen = (nuint)parts;
                    m->Hdr.Control = null;
                    m->Hdr.ControlLen = 0;
                    m->Hdr.Flags = 0;
                    m->Len = 0;
                }
            }

            int offset = next - chunkStart;
            int r = LibC.SendMMsg(fd, msgs + offset, (uint)(chunkLength - offset), LinuxConstants.MSG_DONTWAIT);
            if (r > 0)
            {
                for (int k = 0; k < r; k++)
                {
                    bytes += msgs[offset + k].Len - (uint)(parts - 1) * VirtioNetHeader.Size;
                }

                sent += r;
                next += r;
                continue;
            }

            int errno = Errno.Last;
            if (errno == LinuxConstants.EINTR)
            {
                continue;
            }

            if (errno == LinuxConstants.EMSGSIZE || errno == LinuxConstants.EINVAL)
            {
                dropped++;
                next++;
                continue;
            }

            dropped += total - next;
            break;
        }

        _counters.AddTxResult(sent, bytes, dropped);
        return sent;
    }

    /// <summary>
    /// Closes this port's descriptor. When it was the socket's last one, the socket goes and the kernel leaves
    /// promiscuous mode; when it was handed over and the successor still holds one, the socket stays open there with
    /// everything queued on it. Idempotent.
    /// </summary>
    public void Dispose()
    {
        CloseSocket();
        GC.SuppressFinalize(this);
    }

    /// <summary>Index of the receive-ring block read next, -1 in <see cref="AfPacketIo.Mmsg"/> mode (tests).</summary>
    internal int CurrentRingBlock => _rxRing?.CurrentBlock ?? -1;

    /// <summary>Receive from the ring (<see cref="Rings.PacketRxRing.Receive"/>), then count as the recvmmsg path does.</summary>
    private int ReceiveFromRing(PacketRxRing ring, PacketBatch batch)
    {
        int count = ring.Receive(batch, _vnet, out int dropped, out long bytes, out int taken, out bool emptied);
        return ReceiveAccounting.Complete(batch, _counters, _backlog, count, bytes, dropped, taken, emptied);
    }

    /// <summary>The socket's receive buffer as the kernel reports it (SO_RCVBUF; the kernel doubles what was set), bytes.</summary>
    internal int ReadReceiveBufferBytes()
    {
        int value = 0;
        uint size = sizeof(int);
        return LibC.GetSockOpt(PollFd, LinuxConstants.SOL_SOCKET, LinuxConstants.SO_RCVBUF, &value, &size) == 0 ? value : -1;
    }

    /// <summary>
    /// If the PACKET_AUXDATA control message of <paramref name="m"/> says the kernel stripped a VLAN tag, moves the
    /// frame after the MACs 4 bytes up and writes TPID + TCI back in. Returns false when the tag does not fit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ReinsertVlanTag(MMsgHdr* m, byte* frame, ref int length, int slotSize)
    {
        byte* control = (byte*)m->Hdr.Control;
        int controlLength = (int)m->Hdr.ControlLen;
        int offset = 0;
        while (offset + sizeof(CMsgHdr) <= controlLength)
        {
            CMsgHdr* c = (CMsgHdr*)(control + offset);
            int itemLength = (int)c->Len;
            if (itemLength < sizeof(CMsgHdr))
            {
                break;
            }

            if (c->Level == LinuxConstants.SOL_PACKET
                && c->Type == LinuxConstants.PACKET_AUXDATA
                && itemLength >= sizeof(CMsgHdr) + sizeof(TPacketAuxData))
            {
                TPacketAuxData* aux = (TPacketAuxData*)(control + offset + sizeof(CMsgHdr));
                if ((aux->Status & LinuxConstants.TP_STATUS_VLAN_VALID) == 0)
                {
                    return true;
                }

                if (length < MacHeaderBytes || length + VlanTagBytes > slotSize)
                {
                    return false;
                }

                ushort tpid = (aux->Status & LinuxConstants.TP_STATUS_VLAN_TPID_VALID) != 0 && aux->VlanTpid != 0
                    ? aux->VlanTpid
                    : LinuxConstants.ETH_P_8021Q;
                Buffer.MemoryCopy(frame + MacHeaderBytes, frame + MacHeaderBytes + VlanTagBytes, slotSize - MacHeaderBytes - VlanTagBytes, length - MacHeaderBytes);
                BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(frame + MacHeaderBytes, 2), tpid);
                BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(frame + MacHeaderBytes + 2, 2), aux->VlanTci);
                length += VlanTagBytes;
                return true;
            }

            offset += LinuxConstants.CmsgAlign(itemLength);
        }

        return true;
    }

    private static int IfIndexOf(string ifName, string action)
    {
        try
        {
            return InterfaceInfo.GetIfIndex(ifName);
        }
        catch (PortException e)
        {
            throw PortException.FromErrno(action, ifName, e.Errno);
        }
    }

    private static ulong MacOf(string ifName, string action)
    {
        try
        {
            return InterfaceInfo.GetMac(ifName);
        }
        catch (PortException e)
        {
            throw PortException.FromErrno(action, ifName, e.Errno);
        }
    }

    /// <summary>
    /// Sets PACKET_IGNORE_OUTGOING (when the options ask for it and the kernel has it) and PACKET_AUXDATA to 1: two
    /// per-socket flags the receive loop relies on; setting them again on a socket that has them changes nothing.
    /// </summary>
    private static void SetPacketFlags(int fd, string ifName, AfPacketOptions options, string action)
    {
        int one = 1;
        if (options.IgnoreOutgoingInKernel
            && LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_IGNORE_OUTGOING, &one, sizeof(int)) < 0)
        {
            int errno = Errno.Last;
            if (errno != LinuxConstants.ENOPROTOOPT && errno != LinuxConstants.EINVAL)
            {
                throw PortException.FromErrno(action + " (PACKET_IGNORE_OUTGOING)", ifName, errno);
            }
        }

        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_AUXDATA, &one, sizeof(int)) < 0)
        {
            throw PortException.FromErrno(action + " (PACKET_AUXDATA)", ifName, Errno.Last);
        }
    }

    private static void SetBuffer(int fd, string ifName, int bytes, int forceOption, int option, string what)
    {
        if (bytes <= 0)
        {
            return;
        }

        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_SOCKET, forceOption, &bytes, sizeof(int)) == 0)
        {
            return;
        }

        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_SOCKET, option, &bytes, sizeof(int)) < 0)
        {
            throw PortException.FromErrno($"cannot open AF_PACKET ({what} {bytes} bytes) on", ifName, Errno.Last);
        }
    }

    /// <summary>(Re)allocates the pinned receive headers for <paramref name="capacity"/> frames; runs at open and when a larger batch first arrives.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnsureReceiveCapacity(int capacity)
    {
        int msgBytes = capacity * sizeof(MMsgHdr);
        int iovBytes = 2 * capacity * sizeof(IoVec);
        int addrBytes = ((capacity * sizeof(SockAddrLl)) + 7) & ~7;
        int controlBytes = capacity * ControlBytesPerFrame;
        byte[] scratch = GC.AllocateArray<byte>(msgBytes + iovBytes + addrBytes + controlBytes + 64, pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(scratch));
        p = (byte*)(((nint)p + 63) & ~(nint)63);
        _rxScratch = scratch;
        _rxMsgs = (MMsgHdr*)p;
        _rxIov = (IoVec*)(p + msgBytes);
        _rxAddrs = (SockAddrLl*)(p + msgBytes + iovBytes);
        _rxControl = p + msgBytes + iovBytes + addrBytes;
        _rxCapacity = capacity;
    }

    private void CloseSocket()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            // Unmapping leaves the receive ring to the socket (and to a successor that holds it); the transmit socket
            // is this process's own.
            _rxRing?.Dispose();
            _txRing?.Dispose();
            LibC.Close(fd);
        }
    }
}
