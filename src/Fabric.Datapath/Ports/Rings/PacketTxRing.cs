using System.Runtime.CompilerServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports.Rings;

/// <summary>
/// A TPACKET_V2 transmit ring (packet(7), PACKET_TX_RING) on a send-only AF_PACKET socket of its own: bound to the
/// interface with protocol 0, so it receives nothing and no frame is ever queued on it. <see cref="Send"/> copies a
/// batch into consecutive 2048-byte frame slots, marks them TP_STATUS_SEND_REQUEST and has the kernel send them all
/// with one send(2).
/// </summary>
/// <remarks>
/// <para>
/// A socket of its own, because a socket with a transmit ring sends only from it (sendmsg goes to the ring): the port's
/// receiving socket keeps sendmmsg for frames longer than a slot (GSO super-frames) and for a sender that finds the
/// ring in use by another thread. Each process makes its own transmit socket, so nothing of it is handed over on a
/// restart: the kernel sends what was requested before the old process closes it.
/// </para>
/// <para>
/// One thread at a time (the port hands the ring to one sender with a flag it only tries, never waits for). The
/// kernel takes requested frames in ring order from its own head, which stays equal to <see cref="Send"/>'s next slot.
/// PACKET_LOSS is set so that a frame the kernel rejects is skipped rather than stopping the ring.
/// </para>
/// </remarks>
internal sealed unsafe class PacketTxRing : IDisposable
{
    /// <summary>Bytes per frame slot.</summary>
    public const int FrameBytes = 2048;

    /// <summary>TPACKET2_HDRLEN − sizeof(sockaddr_ll): where the data to send starts in a slot (bytes).</summary>
    private const int DataOffset = 32;

    private const int BlockBytes = 64 * 1024;
    private const int FramesPerBlock = BlockBytes / FrameBytes;

    private readonly int _fd;
    private readonly byte* _map;
    private readonly nuint _mapBytes;
    private readonly int _frames;
    private readonly int _headerBytes;
    private int _head;

    private PacketTxRing(int fd, byte* map, int frames, bool vnet)
    {
        _fd = fd;
        _map = map;
        _frames = frames;
        _mapBytes = (nuint)frames * FrameBytes;
        _headerBytes = vnet ? VirtioNetHeader.Size : 0;
    }

    /// <summary>The longest frame a slot takes (bytes): 2016, less the virtio-net header's 10 with PACKET_VNET_HDR.</summary>
    public int MaxFrameBytes => FrameBytes - DataOffset - _headerBytes;

    /// <summary>The transmit socket's descriptor (never handed over).</summary>
    public int Fd => _fd;

    /// <summary>The problem with a transmit ring size, or null: a multiple of 32 frames, 32..65536.</summary>
    public static string? SizeProblem(int frames) =>
        frames is < FramesPerBlock or > 65536 || frames % FramesPerBlock != 0
            ? $"transmit ring of {frames} frames is not a multiple of {FramesPerBlock} in {FramesPerBlock}..65536"
            : null;

    /// <summary>Opens the transmit socket on interface <paramref name="ifIndex"/>, sets up its ring and maps it.</summary>
    /// <exception cref="PortException">A system call failed; the message names the interface and errno.</exception>
    public static PacketTxRing Open(string ifName, int ifIndex, bool vnet, int frames, string action)
    {
        int fd = LibC.Socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw PortException.FromErrno(action + " (transmit socket)", ifName, Errno.Last);
        }

        try
        {
            int version = LinuxConstants.TPACKET_V2;
            int one = 1;
            SetOption(fd, LinuxConstants.PACKET_VERSION, &version, sizeof(int), ifName, action, "PACKET_VERSION");
            if (vnet)
            {
                SetOption(fd, LinuxConstants.PACKET_VNET_HDR, &one, sizeof(int), ifName, action, "PACKET_VNET_HDR");
            }

            SetOption(fd, LinuxConstants.PACKET_LOSS, &one, sizeof(int), ifName, action, "PACKET_LOSS");
            TPacketReq3 req = default;
            req.BlockSize = BlockBytes;
            req.BlockNr = (uint)(frames / FramesPerBlock);
            req.FrameSize = FrameBytes;
            req.FrameNr = (uint)frames;
            SetOption(fd, LinuxConstants.PACKET_TX_RING, &req, 4 * sizeof(uint), ifName, action, "PACKET_TX_RING");
            nuint bytes = (nuint)frames * FrameBytes;
            void* map = LibC.MMap(null, bytes, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE, LinuxConstants.MAP_SHARED, fd, 0);
            if (map == (void*)-1)
            {
                throw PortException.FromErrno(action + " (mmap of the transmit ring)", ifName, Errno.Last);
            }

            SockAddrLl addr = default;
            addr.Family = LinuxConstants.AF_PACKET;
            addr.IfIndex = ifIndex;
            if (LibC.Bind(fd, &addr, (uint)sizeof(SockAddrLl)) < 0)
            {
                int errno = Errno.Last;
                LibC.MUnmap(map, bytes);
                throw PortException.FromErrno(action + " (transmit socket)", ifName, errno);
            }

            return new PacketTxRing(fd, (byte*)map, frames, vnet);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>True when every frame of <paramref name="batch"/> fits a slot (<see cref="MaxFrameBytes"/>).</summary>
    public bool Fits(PacketBatch batch)
    {
        int max = MaxFrameBytes;
        int total = batch.Count;
        for (int i = 0; i < total; i++)
        {
            if (batch.Length(i) > max)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Queues the first <c>batch.Count</c> frames (each at most <see cref="MaxFrameBytes"/>; see <see cref="Fits"/>) with
    /// their virtio-net headers when the socket has them, and has the kernel send them (send(2), MSG_DONTWAIT). When
    /// the ring is full (the kernel still sending earlier frames) the rest are dropped. Returns the frames queued.
    /// </summary>
    /// <param name="batch">Frames to send.</param>
    /// <param name="bytes">Bytes of the frames queued (virtio-net headers not counted).</param>
    /// <param name="dropped">Frames dropped because the ring was full, or because send(2) failed (interface gone).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Send(PacketBatch batch, out long bytes, out int dropped)
    {
        int total = batch.Count;
        int queued = 0;
        bool kicked = false;
        bytes = 0;
        dropped = 0;
        for (int i = 0; i < total; i++)
        {
            TPacket2Hdr* h = (TPacket2Hdr*)(_map + ((nint)_head * FrameBytes));
            if (Volatile.Read(ref h->Status) != LinuxConstants.TP_STATUS_AVAILABLE)
            {
                // Full: let the kernel send what is queued (and finish with earlier frames), then look once more.
                if (kicked || !Kick() || Volatile.Read(ref h->Status) != LinuxConstants.TP_STATUS_AVAILABLE)
                {
                    dropped += total - i;
                    break;
                }

                kicked = true;
            }

            int length = batch.Length(i);
            byte* data = (byte*)h + DataOffset;
            if (_headerBytes != 0)
            {
                Unsafe.WriteUnaligned(data, *batch.VnetPointer(i));
            }

            Buffer.MemoryCopy(batch.SlotPointer(i), data + _headerBytes, FrameBytes - DataOffset - _headerBytes, length);
            h->Len = (uint)(length + _headerBytes);
            Volatile.Write(ref h->Status, LinuxConstants.TP_STATUS_SEND_REQUEST);
            _head = _head + 1 == _frames ? 0 : _head + 1;
            bytes += length;
            queued++;
        }

        if (queued > 0 && !Kick())
        {
            dropped += queued;
            bytes = 0;
            queued = 0;
        }

        return queued;
    }

    /// <summary>Sends the frames queued on the ring and closes the transmit socket.</summary>
    public void Dispose()
    {
        LibC.Send(_fd, null, 0, LinuxConstants.MSG_DONTWAIT);
        LibC.MUnmap(_map, _mapBytes);
        LibC.Close(_fd);
    }

    /// <summary>send(2) with no data: the kernel sends every TP_STATUS_SEND_REQUEST frame from its head. False when it failed for good.</summary>
    private bool Kick()
    {
        while (true)
        {
            if (LibC.Send(_fd, null, 0, LinuxConstants.MSG_DONTWAIT) >= 0)
            {
                return true;
            }

            int errno = Errno.Last;
            if (errno != LinuxConstants.EINTR)
            {
                // EAGAIN/ENOBUFS: the frames stay requested and go with the next send(2).
                return errno == LinuxConstants.EAGAIN || errno == LinuxConstants.ENOBUFS;
            }
        }
    }

    private static void SetOption(int fd, int option, void* value, uint length, string ifName, string action, string what)
    {
        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, option, value, length) < 0)
        {
            throw PortException.FromErrno($"{action} ({what})", ifName, Errno.Last);
        }
    }
}
