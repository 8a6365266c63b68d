using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports.Rings;

/// <summary>
/// The TPACKET_V3 receive ring of an AF_PACKET socket (packet(7), PACKET_MMAP): blocks of
/// <see cref="AfPacketOptions.RingBlockBytes"/> shared with the kernel, which packs received frames one after another
/// into the current block and hands it over (block status TP_STATUS_USER) when it is full or
/// <see cref="AfPacketOptions.RingBlockTimeoutMs"/> has passed. <see cref="Receive"/> copies frames from there into
/// batch slots without a system call and gives each block back (TP_STATUS_KERNEL) once it has taken all its frames.
/// </summary>
/// <remarks>
/// <para>
/// Where reading stands is kept in the ring itself, not in this object: after each <see cref="Receive"/> the block
/// being read has its descriptor's <c>num_pkts</c> and <c>offset_to_first_pkt</c> rewritten to the frames not yet
/// taken (the reader owns a TP_STATUS_USER block, descriptor included, until it gives it back). A successor process
/// that maps the same socket's ring (<see cref="Map"/>) therefore resumes at the first frame its predecessor did not
/// take: nothing is read twice, nothing is skipped.
/// </para>
/// <para>One reading thread; no allocation, no lock, no system call per frame or per batch.</para>
/// </remarks>
internal sealed unsafe class PacketRxRing : IDisposable
{
    /// <summary>Smallest block: a 64 KB GSO super-frame with its virtio-net header, tpacket3_hdr and the block descriptor.</summary>
    public const int MinBlockBytes = 128 * 1024;

    /// <summary>Frame slot size given to the kernel; TPACKET_V3 only checks it against the block size.</summary>
    private const int FrameBytes = 2048;

    /// <summary>TPACKET_ALIGN(sizeof(tpacket3_hdr)): where the frame's sockaddr_ll starts after its header (bytes).</summary>
    private const int SockAddrOffset = 48;

    private const int MacHeaderBytes = 12;
    private const int VlanTagBytes = 4;

    private readonly byte* _map;
    private readonly nuint _mapBytes;
    private readonly int _blockBytes;
    private readonly int _blocks;
    private int _block;

    private PacketRxRing(byte* map, int blockBytes, int blocks)
    {
        _map = map;
        _blockBytes = blockBytes;
        _blocks = blocks;
        _mapBytes = (nuint)blockBytes * (nuint)blocks;
        _block = FindReaderBlock();
    }

    /// <summary>Index of the block <see cref="Receive"/> reads next (0-based).</summary>
    public int CurrentBlock => _block;

    /// <summary>Bytes of the mapping: blocks × block size.</summary>
    public long Bytes => (long)_mapBytes;

    /// <summary>
    /// The problem with a ring geometry, or null when it is usable: the block size must be a multiple of 4096 bytes and
    /// at least <see cref="MinBlockBytes"/>, the count 1..1024, the timeout 1..1000 ms.
    /// </summary>
    public static string? GeometryProblem(AfPacketOptions options)
    {
        if (options.RingBlockBytes < MinBlockBytes || options.RingBlockBytes % 4096 != 0)
        {
            return $"ring block size {options.RingBlockBytes} bytes is not a multiple of 4096 of at least {MinBlockBytes}";
        }

        if (options.RingBlocks is < 1 or > 1024)
        {
            return $"ring block count {options.RingBlocks} is outside 1..1024";
        }

        return options.RingBlockTimeoutMs is < 1 or > 1000 ? $"ring block timeout {options.RingBlockTimeoutMs} ms is outside 1..1000" : null;
    }

    /// <summary>
    /// Sets PACKET_VERSION TPACKET_V3 and PACKET_RX_RING on <paramref name="fd"/> (before it is bound, and after
    /// PACKET_VNET_HDR, which the kernel refuses once a ring exists) and maps the ring.
    /// </summary>
    /// <exception cref="PortException">A setsockopt or mmap failed; the message names the interface and errno.</exception>
    public static PacketRxRing Create(int fd, string ifName, AfPacketOptions options, string action)
    {
        int version = LinuxConstants.TPACKET_V3;
        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_VERSION, &version, sizeof(int)) < 0)
        {
            throw PortException.FromErrno(action + " (PACKET_VERSION)", ifName, Errno.Last);
        }

        TPacketReq3 req = default;
        req.BlockSize = (uint)options.RingBlockBytes;
        req.BlockNr = (uint)options.RingBlocks;
        req.FrameSize = FrameBytes;
        req.FrameNr = (uint)(options.RingBlockBytes / FrameBytes * options.RingBlocks);
        req.RetireBlockTimeoutMs = (uint)options.RingBlockTimeoutMs;
        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_RX_RING, &req, (uint)sizeof(TPacketReq3)) < 0)
        {
            throw PortException.FromErrno(action + " (PACKET_RX_RING)", ifName, Errno.Last);
        }

        return Map(fd, ifName, options, action);
    }

    /// <summary>
    /// Maps the receive ring that <paramref name="fd"/> already has (a socket handed over by a predecessor, see
    /// <see cref="AfPacketPort.Adopt"/>) and finds the block to read next: the oldest block handed to user space
    /// (smallest sequence number before the kernel's current one), else the block the kernel is filling.
    /// </summary>
    /// <exception cref="PortException">mmap failed; EINVAL when the ring is not <c>RingBlocks × RingBlockBytes</c>.</exception>
    public static PacketRxRing Map(int fd, string ifName, AfPacketOptions options, string action)
    {
        nuint bytes = (nuint)options.RingBlockBytes * (nuint)options.RingBlocks;
        void* map = LibC.MMap(null, bytes, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE, LinuxConstants.MAP_SHARED, fd, 0);
        if (map == (void*)-1)
        {
            throw PortException.FromErrno($"{action} (mmap of a {options.RingBlocks} x {options.RingBlockBytes}-byte receive ring)", ifName, Errno.Last);
        }

        return new PacketRxRing((byte*)map, options.RingBlockBytes, options.RingBlocks);
    }

    /// <summary>
    /// Copies up to <c>batch.Capacity</c> frames from the ring into the batch's slots, from slot 0, re-inserting a VLAN
    /// tag the kernel stripped and keeping the virtio-net header (<paramref name="vnet"/>) in the slot's metadata.
    /// Frames the kernel cut (tp_snaplen &lt; tp_len) or that do not fit a slot are dropped and counted in
    /// <paramref name="dropped"/>; PACKET_OUTGOING frames are skipped.
    /// </summary>
    /// <param name="batch">Batch to fill; its <c>Count</c> is left to the caller.</param>
    /// <param name="vnet">Whether the socket has PACKET_VNET_HDR.</param>
    /// <param name="dropped">Frames dropped.</param>
    /// <param name="bytes">Bytes of the frames kept.</param>
    /// <param name="taken">Frames taken off the ring, dropped and skipped ones included.</param>
    /// <param name="emptied">True when the ring had no more frames for the reader.</param>
    /// <returns>Frames kept (slots filled).</returns>
    public int Receive(PacketBatch batch, bool vnet, out int dropped, out long bytes, out int taken, out bool emptied)
    {
        int capacity = batch.Capacity;
        int slotSize = batch.SlotSize;
        int count = 0;
        dropped = 0;
        bytes = 0;
        taken = 0;
        emptied = false;
        TPacketBlockDesc* desc = Block(_block);
        while (count < capacity)
        {
            if ((Volatile.Read(ref desc->BlockStatus) & LinuxConstants.TP_STATUS_USER) == 0)
            {
                emptied = true;
                break;
            }

            uint left = desc->NumPkts;
            byte* pkt = (byte*)desc + desc->OffsetToFirstPkt;
            while (left > 0 && count < capacity)
            {
                TPacket3Hdr* h = (TPacket3Hdr*)pkt;
                left--;
                taken++;
                pkt += h->NextOffset;
                int kept = CopyFrame(h, batch, count, slotSize, vnet);
                if (kept > 0)
                {
                    bytes += kept;
                    count++;
                }
                else if (kept < 0)
                {
                    dropped++;
                }
            }

            if (left > 0)
            {
                // Stopped inside the block: record where, in the block itself (see remarks).
                desc->NumPkts = left;
                desc->OffsetToFirstPkt = (uint)(pkt - (byte*)desc);
                break;
            }

            Volatile.Write(ref desc->BlockStatus, LinuxConstants.TP_STATUS_KERNEL);
            _block = _block + 1 == _blocks ? 0 : _block + 1;
            desc = Block(_block);
        }

        return count;
    }

    /// <summary>Unmaps the ring. The ring itself belongs to the socket and stays while any process holds it mapped or open.</summary>
    public void Dispose()
    {
        LibC.MUnmap(_map, _mapBytes);
    }

    /// <summary>
    /// Copies the frame of <paramref name="h"/> into slot <paramref name="slot"/>: its length (bytes, &gt; 0) when kept,
    /// 0 when skipped (PACKET_OUTGOING), -1 when dropped (cut by the kernel, or too long for the slot).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CopyFrame(TPacket3Hdr* h, PacketBatch batch, int slot, int slotSize, bool vnet)
    {
        byte* pkt = (byte*)h;
        if (((SockAddrLl*)(pkt + SockAddrOffset))->PktType == LinuxConstants.PACKET_OUTGOING)
        {
            return 0;
        }

        int length = (int)h->SnapLen;
        if (h->SnapLen < h->Len || length == 0)
        {
            return -1;
        }

        byte* frame = pkt + h->Mac;
        byte* target = batch.SlotPointer(slot);
        int stored = length;
        if ((h->Status & LinuxConstants.TP_STATUS_VLAN_VALID) == 0)
        {
            if (length > slotSize)
            {
                return -1;
            }

            Buffer.MemoryCopy(frame, target, slotSize, length);
        }
        else
        {
            stored = length + VlanTagBytes;
            if (length < MacHeaderBytes || stored > slotSize)
            {
                return -1;
            }

            ushort tpid = (h->Status & LinuxConstants.TP_STATUS_VLAN_TPID_VALID) != 0 && h->VlanTpid != 0
                ? h->VlanTpid
                : LinuxConstants.ETH_P_8021Q;
            Buffer.MemoryCopy(frame, target, slotSize, MacHeaderBytes);
            BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(target + MacHeaderBytes, 2), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(target + MacHeaderBytes + 2, 2), (ushort)h->VlanTci);
            Buffer.MemoryCopy(frame + MacHeaderBytes, target + MacHeaderBytes + VlanTagBytes, slotSize - MacHeaderBytes - VlanTagBytes, length - MacHeaderBytes);
        }

        if (vnet)
        {
            // PACKET_VNET_HDR: the kernel wrote the header just before the MAC header.
            VirtioNetHeader header = Unsafe.ReadUnaligned<VirtioNetHeader>(frame - VirtioNetHeader.Size);
            header.Shift(stored - length);
            batch.SetLength(slot, stored, header);
        }
        else
        {
            batch.SetLength(slot, stored);
        }

        return stored;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TPacketBlockDesc* Block(int index) => (TPacketBlockDesc*)(_map + ((nint)index * _blockBytes));

    /// <summary>
    /// The block to read next. The kernel numbers blocks as it opens them, so the one with the highest sequence number
    /// is the one it is filling (or, with the ring full, the last it filled); walking back from it over the blocks
    /// still handed to user space with consecutive numbers finds the oldest unread one. Races with the kernel only
    /// move the answer forward by blocks it has just handed over, which are then read in order.
    /// </summary>
    private int FindReaderBlock()
    {
        int newest = 0;
        ulong newestSeq = 0;
        for (int i = 0; i < _blocks; i++)
        {
            ulong seq = Volatile.Read(ref Block(i)->SeqNum);
            if (seq > newestSeq)
            {
                newest = i;
                newestSeq = seq;
            }
        }

        int start = newest;
        ulong startSeq = newestSeq;
        for (int k = 1; k < _blocks; k++)
        {
            int previous = start == 0 ? _blocks - 1 : start - 1;
            TPacketBlockDesc* p = Block(previous);
            if ((Volatile.Read(ref p->BlockStatus) & LinuxConstants.TP_STATUS_USER) == 0 || p->SeqNum + 1 != startSeq)
            {
                break;
            }

            start = previous;
            startSeq = p->SeqNum;
        }

        return start;
    }
}
