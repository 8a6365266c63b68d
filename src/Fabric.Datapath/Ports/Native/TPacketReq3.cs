using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// <c>struct tpacket_req3</c> (linux/if_packet.h), the argument of PACKET_RX_RING / PACKET_TX_RING; 28 bytes. For a
/// TPACKET_V2 ring only the first four fields (<c>struct tpacket_req</c>, 16 bytes) are passed.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TPacketReq3
{
    /// <summary><c>tp_block_size</c>: bytes per block, a multiple of the page size (a power of two wastes nothing).</summary>
    public uint BlockSize;

    /// <summary><c>tp_block_nr</c>: number of blocks.</summary>
    public uint BlockNr;

    /// <summary><c>tp_frame_size</c>: bytes per frame slot (TPACKET_V2), a multiple of 16; TPACKET_V3 only checks it.</summary>
    public uint FrameSize;

    /// <summary><c>tp_frame_nr</c>: frames in the ring, (BlockSize / FrameSize) × BlockNr.</summary>
    public uint FrameNr;

    /// <summary><c>tp_retire_blk_tov</c> (V3): ms after which the kernel hands over a block that is not full.</summary>
    public uint RetireBlockTimeoutMs;

    /// <summary><c>tp_sizeof_priv</c> (V3): private bytes per block, after the block descriptor.</summary>
    public uint SizeofPriv;

    /// <summary><c>tp_feature_req_word</c> (V3): TP_FT_REQ_FILL_RXHASH or 0.</summary>
    public uint FeatureReqWord;
}
