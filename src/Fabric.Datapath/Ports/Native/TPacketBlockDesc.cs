using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct tpacket_block_desc</c> with its <c>struct tpacket_hdr_v1</c> (linux/if_packet.h): the header at the start of
/// every TPACKET_V3 receive block; 48 bytes. The kernel fills a block, then sets <see cref="BlockStatus"/> to
/// TP_STATUS_USER; the reader owns the block (header included) until it writes TP_STATUS_KERNEL back.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TPacketBlockDesc
{
    /// <summary><c>version</c>: TPACKET_V3's block layout version (1).</summary>
    public uint Version;

    /// <summary><c>offset_to_priv</c>: offset of the block's private area (bytes from the block start).</summary>
    public uint OffsetToPriv;

    /// <summary><c>block_status</c>: TP_STATUS_KERNEL (0) or TP_STATUS_USER (1), plus TP_STATUS_BLK_TMO.</summary>
    public uint BlockStatus;

    /// <summary><c>num_pkts</c>: frames in the block.</summary>
    public uint NumPkts;

    /// <summary><c>offset_to_first_pkt</c>: offset of the first frame's <see cref="TPacket3Hdr"/> (bytes from the block start).</summary>
    public uint OffsetToFirstPkt;

    /// <summary><c>blk_len</c>: bytes of the block in use.</summary>
    public uint BlockLength;

    /// <summary><c>seq_num</c>: the block's sequence number, one more for every block the kernel opens (the first is 1).</summary>
    public ulong SeqNum;

    /// <summary><c>ts_first_pkt</c> and <c>ts_last_pkt</c>: seconds and nanoseconds of the first and last frame.</summary>
    public ulong TsFirst;

    /// <summary><c>ts_last_pkt</c>.</summary>
    public ulong TsLast;
}
