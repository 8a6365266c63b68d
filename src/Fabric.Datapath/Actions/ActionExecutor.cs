using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Offloads;

namespace Fabric.Datapath.Actions;

/// <summary>
/// Applies datapath actions to one frame (OVS <c>odp_execute_actions</c>): outputs append a copy of the frame
/// as modified so far to the output port's transmit batch; VLAN push/pop/rewrite and MAC rewrites act on a
/// private copy in a stack scratch buffer, never on the received frame. Output to the frame's own in_port is
/// skipped, as OVS does (a flood never reflects a frame back). A bond output goes to the member the bond's current
/// <see cref="Bonds.BondMap"/> gives the action's bucket, and counts the frame's bytes on that bucket.
/// </summary>
/// <remarks>Zero allocation for frames up to <see cref="StackScratchBytes"/> bytes; larger ones use a buffer reused per poll thread.</remarks>
public static class ActionExecutor
{
    /// <summary>Size of the stack scratch buffer in bytes (a 2048-byte slot plus room for two pushed tags).</summary>
    public const int StackScratchBytes = 2048 + 16;

    /// <summary>
    /// The IP packet size (bytes) above which a plain TCP frame given to <see cref="Execute(ReadOnlySpan{byte}, ushort, DatapathActions, OutputBatches)"/>
    /// is taken for a GSO super-frame that lost its virtio-net header: the standard Ethernet MTU.
    /// </summary>
    public const int PlainFrameMtu = 1500;

    /// <summary>
    /// The IP packet size (bytes) of the segments such a super-frame is cut into: 1280, the IPv6 minimum link MTU
    /// (RFC 8200 §5), so that they fit every output port and the receiver's MTU whatever the sender's MSS was (a TCP
    /// receiver takes any segment up to its MSS).
    /// </summary>
    public const int LostGsoSegmentIpBytes = 1280;

    /// <summary>
    /// Executes <paramref name="actions"/> on a plain <paramref name="frame"/> (no virtio-net header, as the slow path's
    /// packet-outs are) received on <paramref name="inPort"/>, appending outputs to <paramref name="outputs"/>. A TCP
    /// frame whose IP packet is longer than <see cref="PlainFrameMtu"/> is a GSO super-frame that went up as an upcall
    /// without its header; it is cut into segments of <see cref="LostGsoSegmentIpBytes"/> with complete checksums in
    /// software for every output, instead of being dropped by the output port (<see cref="GsoSegmentPlan.TryInferTcpGso"/>).
    /// Returns true when an action asks for the slow path (<see cref="DatapathActionKind.Userspace"/>): the caller must
    /// then make an upcall for the packet.
    /// </summary>
    public static bool Execute(ReadOnlySpan<byte> frame, ushort inPort, DatapathActions actions, OutputBatches outputs) =>
        GsoSegmentPlan.TryInferTcpGso(frame, PlainFrameMtu, LostGsoSegmentIpBytes, out VirtioNetHeader lost)
            ? Execute(frame, lost, inPort, actions, outputs, softwareOffloads: true)
            : Execute(frame, default, inPort, actions, outputs, softwareOffloads: false);

    /// <summary>
    /// Executes <paramref name="actions"/> on <paramref name="frame"/>, whose virtio-net header is <paramref name="vnet"/>,
    /// received on <paramref name="inPort"/>: each output carries the header along (<see cref="OutputBatches.Append(ushort, ReadOnlySpan{byte}, in VirtioNetHeader)"/>),
    /// its checksum offset moved by any bytes a VLAN push or pop inserted or removed before the IP header. Returns true
    /// when an action asks for the slow path.
    /// </summary>
    public static bool Execute(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet, ushort inPort, DatapathActions actions, OutputBatches outputs) =>
        Execute(frame, vnet, inPort, actions, outputs, softwareOffloads: false);

    /// <summary>The executor; with <paramref name="softwareOffloads"/> every output does the frame's offloads in software, also to a port with vnet headers.</summary>
    [SkipLocalsInit]
    private static bool Execute(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet, ushort inPort, DatapathActions actions, OutputBatches outputs, bool softwareOffloads)
    {
        ReadOnlySpan<DatapathAction> items = actions.Items;
        if (actions.OutputsOnly)
        {
            for (int i = 0; i < items.Length; i++)
            {
                ref readonly DatapathAction a = ref items[i];
                ushort port = a.Kind == DatapathActionKind.Output ? a.Port : outputs.ResolveBond(a.Port, a.Bucket, frame.Length);
                if (port != inPort && port != 0)
                {
                    outputs.Append(port, frame, vnet, softwareOffloads);
                }
            }

            return false;
        }

        Span<byte> scratch = frame.Length + 8 <= StackScratchBytes
            ? stackalloc byte[StackScratchBytes]
            : outputs.HeapScratch(frame.Length + 8);
        bool copied = false;
        int length = frame.Length;
        bool upcall = false;
        VirtioNetHeader header = vnet;
        for (int i = 0; i < items.Length; i++)
        {
            ref readonly DatapathAction a = ref items[i];
            switch (a.Kind)
            {
                case DatapathActionKind.Output:
                    if (a.Port != inPort)
                    {
                        outputs.Append(a.Port, copied ? scratch[..length] : frame, header, softwareOffloads);
                    }

                    break;
                case DatapathActionKind.Bond:
                    ushort member = outputs.ResolveBond(a.Port, a.Bucket, length);
                    if (member != inPort && member != 0)
                    {
                        outputs.Append(member, copied ? scratch[..length] : frame, header, softwareOffloads);
                    }

                    break;
                case DatapathActionKind.Userspace:
                    upcall = true;
                    break;
                default:
                    if (!copied)
                    {
                        frame.CopyTo(scratch);
                        copied = true;
                    }

                    int before = length;
                    length = Modify(scratch, length, a);
                    header.Shift(length - before);
                    break;
            }
        }

        return upcall;
    }

    /// <summary>
    /// Applies one modifying action to the frame held in <paramref name="buffer"/>[..<paramref name="length"/>] in
    /// place and returns the new length. Frames shorter than an Ethernet header are left unchanged.
    /// </summary>
    internal static int Modify(Span<byte> buffer, int length, in DatapathAction a)
    {
        if (length < 14)
        {
            return length;
        }

        switch (a.Kind)
        {
            case DatapathActionKind.PushVlan:
                return Push(buffer, length, a.Tpid, a.Tci);
            case DatapathActionKind.PopVlan:
                if (length >= 18 && IsTagged(buffer))
                {
                    buffer[16..length].CopyTo(buffer[12..]);
                    return length - 4;
                }

                return length;
            case DatapathActionKind.SetVlanTci:
                if (length >= 18 && IsTagged(buffer))
                {
                    BinaryPrimitives.WriteUInt16BigEndian(buffer[14..], WireTci(a.Tci));
                    return length;
                }

                return Push(buffer, length, 0x8100, a.Tci);
            case DatapathActionKind.SetEthSrc:
                WriteMac(buffer[6..], a.Mac);
                return length;
            case DatapathActionKind.SetEthDst:
                WriteMac(buffer, a.Mac);
                return length;
            default:
                return length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsTagged(ReadOnlySpan<byte> frame)
    {
        ushort tpid = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        return tpid == 0x8100 || tpid == 0x88a8;
    }

    // OVS pushes the TCI with the CFI ("present") bit cleared on the wire.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort WireTci(ushort tci) => (ushort)(tci & ~FlowKey.VlanPresent);

    private static int Push(Span<byte> buffer, int length, ushort tpid, ushort tci)
    {
        if (length + 4 > buffer.Length)
        {
            return length;
        }

        buffer[12..length].CopyTo(buffer[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[12..], tpid);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[14..], WireTci(tci));
        return length + 4;
    }

    private static void WriteMac(Span<byte> destination, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)mac);
    }
}
