using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports;

/// <summary>
/// A datapath port on a TAP device that the port itself creates through /dev/net/tun (IFF_TAP | IFF_NO_PI: plain
/// Ethernet frames, no packet-information header), OVS's "tap" port type. Frames the kernel sends out of the TAP
/// interface are read here; frames written here arrive at the kernel as received on that interface.
/// </summary>
/// <remarks>
/// <para>
/// The device is not persistent: it disappears when the last descriptor of its /dev/net/tun file is closed, which
/// is when the port is disposed unless the descriptor was handed to another process, also when it has been moved
/// into another network namespace meanwhile. Moving it (<c>ip link set NAME netns NS</c>) keeps
/// the file descriptor valid, which is how tests and the lab attach a namespace to the fabric; the move brings the
/// link administratively down, so whoever moves it brings it up again in the new namespace.
/// </para>
/// <para>
/// Offloads: created with vnet headers, the device has IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO4, TSO6, TSO-ECN):
/// every frame read or written is preceded by a <see cref="VirtioNetHeader"/>, kept in its slot's
/// <see cref="PacketBatch.Vnet"/>, so the kernel hands over GSO super-frames (up to 64 KB; the batch needs
/// <see cref="PacketBatch.LargeSlotSize"/> slots) and partial checksums, and takes them back whole.
/// </para>
/// <para>
/// Threading follows <see cref="IDatapathPort"/>: one receiving thread; Send from several threads, each with its
/// own batch (each frame is one write(2), which the kernel handles atomically). Nothing allocates per call.
/// Dispose only after the threads that call Receive and Send have stopped.
/// </para>
/// <para>
/// Restart handover: <see cref="PollFd"/> is the device's descriptor. A running process stops its receive threads,
/// passes it to its successor (<see cref="Native.FdPassing.Send"/>), which wraps it with <see cref="Adopt"/>, and then
/// disposes its own port: the device survives (another descriptor of the same file is still open) with the frames
/// the kernel queued on it, and goes only when the successor's port is disposed.
/// </para>
/// </remarks>
public sealed unsafe class TapPort : IDatapathPort
{
    private readonly string _name;
    private readonly int _ifIndex;
    private readonly ulong _mac;
    private readonly PortCounters _counters = new();
    private readonly BacklogCounter _backlog = new();
    private readonly bool _vnet;
    private int _fd;

    // Receive scratch, pinned on the POH: iovec[3] (the vnet header, the slot, then one overflow byte) and the overflow byte.
    private readonly byte[] _rxScratch;
    private readonly IoVec* _rxIov;

    private TapPort(string name, int ifIndex, ulong mac, int fd, bool vnet)
    {
        _name = name;
        _ifIndex = ifIndex;
        _mac = mac;
        _fd = fd;
        _vnet = vnet;
        _rxScratch = GC.AllocateArray<byte>((3 * sizeof(IoVec)) + 16 + 8, pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_rxScratch));
        p = (byte*)(((nint)p + 7) & ~(nint)7);
        _rxIov = (IoVec*)p;
        _rxIov[2].Base = p + (3 * sizeof(IoVec));
        _rxIov[2].Len = 1;
    }

    /// <summary>Closes the device if <see cref="Dispose"/> was never called.</summary>
    ~TapPort()
    {
        CloseDevice();
    }

    /// <summary>The TAP interface name the kernel gave the device (the name passed to <see cref="Create"/> or <see cref="Adopt"/>).</summary>
    public string Name => _name;

    /// <inheritdoc/>
    public PortKind Kind => PortKind.Tap;

    /// <summary>True when the device has IFF_VNET_HDR (created with vnet headers; after <see cref="Adopt"/>, as TUNGETIFF reports).</summary>
    public bool VnetHeaders => _vnet;

    /// <summary>
    /// The /dev/net/tun file descriptor; readable (POLLIN) when frames are waiting, and the descriptor to hand to a
    /// successor process (<see cref="Native.FdPassing.Send"/>, then <see cref="Adopt"/> there). The port keeps owning
    /// it. -1 after <see cref="Dispose"/>.
    /// </summary>
    public int PollFd => Volatile.Read(ref _fd);

    /// <summary>Kernel index of the TAP interface at creation or adoption (it keeps it when moved to a namespace where it is free).</summary>
    public int IfIndex => _ifIndex;

    /// <summary>
    /// Carrier of the TAP interface. While the device is in the caller's namespace (an interface of this name with
    /// this port's ifindex exists there), the kernel's /sys/class/net/&lt;name&gt;/carrier is read ("1" = up; an
    /// administratively down link reads as down). Once the device has been moved into another namespace the port
    /// cannot see it any more and reports true for as long as its file descriptor is open, since a TAP's carrier is
    /// on exactly while a reader holds it. False after <see cref="Dispose"/>. Reads files: not for the per-packet path.
    /// </summary>
    public bool CarrierUp
    {
        get
        {
            if (PollFd < 0)
            {
                return false;
            }

            if (InterfaceInfo.ReadSysIfIndex(_name) != _ifIndex)
            {
                return true;
            }

            return InterfaceInfo.ReadCarrier(_name) ?? true;
        }
    }

    /// <summary>The TAP interface's Ethernet address at creation or adoption (random, chosen by the kernel at creation; 48 bits in the low bits).</summary>
    public ulong MacAddress => _mac;

    /// <inheritdoc/>
    public PortCounters Counters => _counters;

    /// <summary>
    /// The frames a restarted reader found waiting on the device (armed by the node that takes it over): the tun driver
    /// reports no queue length (FIONREAD is not one of its ioctls), so they are counted as the first reads take them.
    /// </summary>
    public BacklogCounter Backlog => _backlog;

    /// <summary>
    /// Frames the kernel queues towards Fabric on a TAP device (its transmit queue length, which sizes the tun driver's
    /// ring, drivers/net/tun.c; 1000 by default): 10,000, so that the switch-over of a <c>fabric ctl restart</c>
    /// (≈ 20–40 ms without a reader) fits at some 250,000 frames/s.
    /// </summary>
    public const int QueueFrames = 10_000;

    /// <summary>
    /// Creates the TAP interface <paramref name="name"/>: opens /dev/net/tun (O_RDWR | O_NONBLOCK | O_CLOEXEC), attaches
    /// it with TUNSETIFF (IFF_TAP | IFF_NO_PI, and IFF_VNET_HDR with <paramref name="vnetHeaders"/>, followed by
    /// TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN, linux/if_tun.h) and sets the link
    /// administratively up (SIOCSIFFLAGS IFF_UP) so that its carrier follows this reader.
    /// </summary>
    /// <param name="name">Interface name, 1..15 characters; an existing non-TAP interface of that name is an error.</param>
    /// <param name="vnetHeaders">Exchange a virtio-net header with every frame, so the kernel's offloads stay on.</param>
    /// <returns>The port; dispose it to delete the device.</returns>
    /// <exception cref="PortException">
    /// The name is invalid, /dev/net/tun cannot be opened (no CAP_NET_ADMIN, no tun module) or the kernel refuses the
    /// name; the one-line message names the device and the errno text, e.g. "cannot create TAP 'eth0': Invalid argument".
    /// </exception>
    public static TapPort Create(string name, bool vnetHeaders = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        const string action = "cannot create TAP";
        string? problem = InterfaceInfo.NameProblem(name);
        if (problem is not null)
        {
            throw new PortException(name, $"{action} '{name}': interface name {problem}");
        }

        ReadOnlySpan<byte> path = "/dev/net/tun\0"u8;
        int fd;
        fixed (byte* p = path)
        {
            fd = LibC.Open(p, LinuxConstants.O_RDWR | LinuxConstants.O_NONBLOCK | LinuxConstants.O_CLOEXEC);
        }

        if (fd < 0)
        {
            throw PortException.FromErrno(action + " (open /dev/net/tun)", name, Errno.Last);
        }

        try
        {
            IfReq req = IfReq.ForName(name);
            req.Flags = (short)(LinuxConstants.IFF_TAP | LinuxConstants.IFF_NO_PI | (vnetHeaders ? LinuxConstants.IFF_VNET_HDR : 0));
            if (LibC.Ioctl(fd, LinuxConstants.TUNSETIFF, &req) < 0)
            {
                throw PortException.FromErrno(action, name, Errno.Last);
            }

            if (vnetHeaders
                && LibC.Ioctl(fd, LinuxConstants.TUNSETOFFLOAD, (void*)(nuint)(LinuxConstants.TUN_F_CSUM | LinuxConstants.TUN_F_TSO4 | LinuxConstants.TUN_F_TSO6 | LinuxConstants.TUN_F_TSO_ECN)) < 0)
            {
                throw PortException.FromErrno(action + " (TUNSETOFFLOAD)", name, Errno.Last);
            }

            string actual = req.GetName();
            int ifIndex = InterfaceInfo.GetIfIndex(actual);
            ulong mac = InterfaceInfo.GetMac(actual);
            DisableHostIpv6(actual);
            InterfaceInfo.SetTxQueueLength(actual, QueueFrames);
            InterfaceInfo.BringUp(actual);
            return new TapPort(actual, ifIndex, mac, fd, vnetHeaders);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Wraps <paramref name="fd"/>, a /dev/net/tun descriptor another process attached to the TAP device
    /// <paramref name="name"/> (<see cref="Create"/>) and passed here (<see cref="Native.FdPassing.Receive"/>), without
    /// attaching it again: TUNGETIFF must report IFF_TAP | IFF_NO_PI; the port has <see cref="VnetHeaders"/> when it also
    /// reports IFF_VNET_HDR (the device's offload settings carry over with it). The device may have been
    /// renamed since (moved into a namespace as eth0, say): the port keeps <paramref name="name"/>, the configured one,
    /// and reads the device under the name TUNGETIFF reports. The device may live in another network namespace; its ifindex and MAC are read there (TUNGETDEVNETNS, then a
    /// short-lived thread that enters it with setns(2)), or in the caller's namespace on kernels before 5.2.
    /// </summary>
    /// <remarks>
    /// Left as they are: the device, its namespace, addresses and link state (no IPv6 change, no bring-up) and the
    /// frames queued on it. Applied: FD_CLOEXEC on this descriptor (per process) and O_NONBLOCK if the file lacks it
    /// (shared with every holder of the file; <see cref="Create"/> always sets it, and <see cref="Receive"/>'s readv(2)
    /// relies on it). Disposing the port closes only this descriptor: the device goes when the last process holding
    /// a descriptor of it closes that (drivers/net/tun.c: the queue is detached at the file's release).
    /// </remarks>
    /// <param name="fd">The received descriptor. On success the port owns it (<see cref="Dispose"/> closes it); on an exception the caller still does.</param>
    /// <param name="name">The port's (configured) name.</param>
    /// <returns>The port, reading and writing on the existing device.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="PortException">
    /// The name is invalid, the descriptor is not a TAP descriptor attached to it, or a system call failed; the
    /// one-line message names the device, e.g. "cannot adopt descriptor 9 as TAP 'tap0': Inappropriate ioctl for
    /// device" (not /dev/net/tun) or "… 'tap0': the descriptor is attached to a TUN (layer 3) device, not a TAP".
    /// </exception>
    public static TapPort Adopt(int fd, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        ArgumentNullException.ThrowIfNull(name);
        string action = $"cannot adopt descriptor {fd} as TAP";
        string? problem = InterfaceInfo.NameProblem(name);
        if (problem is not null)
        {
            throw new PortException(name, $"{action} '{name}': interface name {problem}");
        }

        IfReq req = default;
        if (LibC.Ioctl(fd, LibCMsg.TUNGETIFF, &req) < 0)
        {
            throw PortException.FromErrno(action, name, Errno.Last);
        }

        string attached = req.GetName();
        short flags = req.Flags;
        // The device may have been renamed since it was created (a lab moves it into a namespace as eth0): the port
        // keeps its configured name, and the device is read under the name it has now.
        string? mismatch =
            (flags & LinuxConstants.IFF_TAP) == 0 ? "the descriptor is attached to a TUN (layer 3) device, not a TAP"
            : (flags & LinuxConstants.IFF_NO_PI) == 0 ? "the device carries packet information headers (no IFF_NO_PI)"
            : null;
        if (mismatch is not null)
        {
            throw new PortException(name, $"{action} '{name}': {mismatch}");
        }

        int errno = LibCMsg.SetCloseOnExec(fd, on: true);
        if (errno == 0)
        {
            errno = LibCMsg.EnsureNonBlocking(fd);
        }

        if (errno != 0)
        {
            throw PortException.FromErrno(action + " (fcntl)", name, errno);
        }

        (int ifIndex, ulong mac) = QueryInDeviceNamespace(fd, attached, action);
        return new TapPort(name, ifIndex, mac, fd, (flags & LinuxConstants.IFF_VNET_HDR) != 0);
    }

    /// <summary>
    /// Reads the ifindex and MAC of the TAP device behind <paramref name="fd"/> by name in the namespace it lives in:
    /// here when that is the calling thread's namespace (or the kernel has no TUNGETDEVNETNS), else on a new thread
    /// that enters it with setns(2) and ends afterwards, so no thread of the process stays in a foreign namespace.
    /// </summary>
    private static (int IfIndex, ulong Mac) QueryInDeviceNamespace(int fd, string name, string action)
    {
        int nsFd = LibC.Ioctl(fd, LibCMsg.TUNGETDEVNETNS, null);
        if (nsFd < 0)
        {
            return Query(name, action);
        }

        try
        {
            string? device = new FileInfo($"/proc/self/fd/{nsFd}").LinkTarget;
            string? own = new FileInfo("/proc/thread-self/ns/net").LinkTarget;
            if (device is null || string.Equals(device, own, StringComparison.Ordinal))
            {
                return Query(name, action);
            }

            (int, ulong) result = default;
            Exception? error = null;
            var thread = new Thread(() =>
            {
                try
                {
                    if (LibCMsg.SetNs(nsFd, LibCMsg.CLONE_NEWNET) < 0)
                    {
                        throw PortException.FromErrno(action + " (setns into the device's namespace)", name, Errno.Last);
                    }

                    result = Query(name, action);
                }
                catch (Exception e)
                {
                    error = e;
                }
            })
            {
                IsBackground = true,
                Name = "tap-adopt-netns",
            };
            thread.Start();
            thread.Join();
            if (error is not null)
            {
                throw error as PortException ?? new PortException(name, $"{action} '{name}': {error.Message}");
            }

            return result;
        }
        finally
        {
            LibC.Close(nsFd);
        }
    }

    private static (int IfIndex, ulong Mac) Query(string name, string action)
    {
        try
        {
            return (InterfaceInfo.GetIfIndex(name), InterfaceInfo.GetMac(name));
        }
        catch (PortException e)
        {
            throw PortException.FromErrno(action, name, e.Errno);
        }
    }

    /// <summary>
    /// Keeps this host's IPv6 stack off the device: a switch port's host side must not send its own router
    /// solicitations or MLD reports into the bridge (they would arrive here as frames from the port).
    /// Best effort: a kernel without IPv6 has no such setting.
    /// </summary>
    private static void DisableHostIpv6(string name)
    {
        try
        {
            File.WriteAllText($"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No IPv6 on this kernel, or no permission: the port works the same, only noisier.
        }
    }

    /// <summary>
    /// Reads frames with one readv(2) each, from slot 0, until the device has none left (EAGAIN) or the batch is full;
    /// returns how many were kept. With <see cref="VnetHeaders"/> each read puts the frame's virtio-net header into the
    /// slot's <see cref="PacketBatch.Vnet"/>. The kernel truncates a frame to the buffer it is given, so each read offers the slot
    /// plus one overflow byte: a frame that reaches the overflow byte is longer than <see cref="PacketBatch.SlotSize"/>,
    /// and is dropped and counted in <see cref="PortCounters.RxDropped"/>.
    /// </summary>
    public int Receive(PacketBatch batch)
    {
        int fd = Volatile.Read(ref _fd);
        int capacity = batch.Capacity;
        int slotSize = batch.SlotSize;
        int count = 0;
        int dropped = 0;
        long bytes = 0;
        bool emptied = false;
        bool vnet = _vnet;
        int headerBytes = vnet ? VirtioNetHeader.Size : 0;
        IoVec* iov = vnet ? _rxIov : _rxIov + 1;
        int parts = vnet ? 3 : 2;
        if (fd >= 0)
        {
            while (count < capacity)
            {
                _rxIov[0].Base = (byte*)batch.VnetPointer(count);
                _rxIov[0].Len = VirtioNetHeader.Size;
                _rxIov[1].Base = batch.SlotPointer(count);
                _rxIov[1].Len = (nuint)slotSize;
                nint n = LibC.ReadV(fd, iov, parts);
                if (n <= 0)
                {
                    if (n < 0 && Errno.Last == LinuxConstants.EINTR)
                    {
                        continue;
                    }

                    // EAGAIN: nothing (more) waiting; EIO/EBADFD: device going away. The poll loop calls again.
                    emptied = true;
                    break;
                }

                n -= headerBytes;
                if (n > slotSize || n < 0)
                {
                    dropped++;
                    continue;
                }

                if (vnet)
                {
                    batch.SetLength(count, (int)n, *batch.VnetPointer(count));
                }
                else
                {
                    batch.SetLength(count, (int)n);
                }

                bytes += n;
                count++;
            }
        }

        return ReceiveAccounting.Complete(batch, _counters, _backlog, count, bytes, dropped, count + dropped, emptied);
    }

    /// <summary>
    /// Writes the first <c>batch.Count</c> frames, one write(2) each (with <see cref="VnetHeaders"/>, one writev(2) of the
    /// slot's virtio-net header and the frame), and returns how many the kernel accepted. A frame
    /// the kernel rejects on its own (EINVAL: shorter than an Ethernet header or too long) is dropped and the rest still
    /// go; any other error (EIO while the link is down, EAGAIN) drops the remaining frames. Drops are counted in
    /// <see cref="PortCounters.TxDropped"/>.
    /// </summary>
    public int Send(PacketBatch batch)
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

        int sent = 0;
        int dropped = 0;
        long bytes = 0;
        bool vnet = _vnet;
        IoVec* iov = stackalloc IoVec[2];
        for (int i = 0; i < total; i++)
        {
            int length = batch.Length(i);
            nint n;
            if (vnet)
            {
                iov[0].Base = (byte*)batch.VnetPointer(i);
                iov[0].Len = VirtioNetHeader.Size;
                iov[1].Base = batch.SlotPointer(i);
                iov[1].Len = (nuint)length;
                n = LibC.WriteV(fd, iov, 2);
            }
            else
            {
                n = LibC.Write(fd, batch.SlotPointer(i), (nuint)length);
            }

            if (n >= 0)
            {
                sent++;
                bytes += length;
                continue;
            }

            int errno = Errno.Last;
            if (errno == LinuxConstants.EINTR)
            {
                i--;
                continue;
            }

            if (errno == LinuxConstants.EINVAL || errno == LinuxConstants.EMSGSIZE)
            {
                dropped++;
                continue;
            }

            dropped += total - i;
            break;
        }

        _counters.AddTxResult(sent, bytes, dropped);
        return sent;
    }

    /// <summary>
    /// Closes this port's /dev/net/tun descriptor. When it was the device's last one, that deletes the TAP device
    /// (wherever it lives); when it was handed over and the successor still holds one, the device stays. Idempotent.
    /// </summary>
    public void Dispose()
    {
        CloseDevice();
        GC.SuppressFinalize(this);
    }

    private void CloseDevice()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }
}
