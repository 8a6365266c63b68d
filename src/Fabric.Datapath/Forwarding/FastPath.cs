using System.Runtime.CompilerServices;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Packets;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// The per-packet work of one poll thread for one received batch (OVS dfc_processing → fast_path_processing):
/// parse → exact-match cache → megaflow classifier → per-flow stats → actions into transmit batches; parse
/// errors are counted by reason, misses become upcalls. Datapath counters are added once per batch.
/// </summary>
/// <remarks>
/// Owned by one thread, poll thread <c>thread</c>: every counter it writes (the megaflows' statistics slots, its row of
/// <see cref="DatapathStats"/> and of the parse-drop counters) is that thread's alone, so no cache line is written by two
/// poll threads. Nothing is allocated on a hit; a miss copies the frame into an <see cref="Upcall"/>.
/// </remarks>
internal sealed class FastPath
{
    private readonly MegaflowTable _flows;
    private readonly DatapathStats _stats;
    private readonly UpcallQueue _upcalls;
    private readonly ExactMatchCache _emc;
    private readonly OutputBatches _outputs;
    private readonly MegaflowLookupContext _lookup;
    private readonly int _thread;

    /// <summary>The fast path of poll thread <paramref name="thread"/> (0-based; a row of <paramref name="stats"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="thread"/> has no row in <paramref name="stats"/>.</exception>
    public FastPath(MegaflowTable flows, DatapathStats stats, UpcallQueue upcalls, ExactMatchCache emc, OutputBatches outputs, int thread = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(thread);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(thread, stats.PollThreads);
        _thread = thread;
        _flows = flows;
        _stats = stats;
        _upcalls = upcalls;
        _emc = emc;
        _outputs = outputs;
        _lookup = flows.CreateLookupContext();
    }

    /// <summary>
    /// Forwards the <paramref name="rx"/>.Count frames received on <paramref name="batchInPort"/>, "now" being
    /// <paramref name="nowMs"/> (Unix ms). A <paramref name="batchInPort"/> of 0 (never a datapath port number) means the
    /// frames came from a demultiplexing port (<see cref="Ports.PortReceiveMode.PerFrame"/>, the VXLAN endpoint): each
    /// frame's in_port is then its slot's <see cref="PacketBatch.InPort"/>, and the batch is forwarded in runs of
    /// consecutive frames with the same in_port.
    /// </summary>
    public void Process(PacketBatch rx, ushort batchInPort, long nowMs)
    {
        int count = rx.Count;
        if (batchInPort != 0)
        {
            Add(Process(rx, 0, count, batchInPort, nowMs));
            return;
        }

        (long Hits, long Missed, long Lost, long EmcHits, long MaskHits) total = default;
        int start = 0;
        while (start < count)
        {
            int inPort = rx.InPort(start);
            int end = start + 1;
            while (end < count && rx.InPort(end) == inPort)
            {
                end++;
            }

            var run = Process(rx, start, end, (ushort)inPort, nowMs);
            total = (total.Hits + run.Hits, total.Missed + run.Missed, total.Lost + run.Lost, total.EmcHits + run.EmcHits, total.MaskHits + run.MaskHits);
            start = end;
        }

        Add(total);
    }

    private void Add((long Hits, long Missed, long Lost, long EmcHits, long MaskHits) counts) =>
        _stats.Add(_thread, counts.Hits, counts.Missed, counts.Lost, counts.EmcHits, counts.MaskHits);

    // Frames [start, end) of rx, all from inPort: a loop-invariant in_port keeps this loop as fast as it was before
    // demultiplexing ports existed (a per-frame in_port inside it cost about 10 ns per packet), and so does compiling it
    // apart from its callers (inlined into Process it was as slow).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (long Hits, long Missed, long Lost, long EmcHits, long MaskHits) Process(PacketBatch rx, int start, int end, ushort inPort, long nowMs)
    {
        bool emcEnabled = _emc.Enabled;
        long hits = 0, missed = 0, lost = 0, emcHits = 0, maskHits = 0;
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<byte> frame = rx.Frame(i);
            DropReason reason = PacketParser.Parse(frame, inPort, out FlowKey key, out ushort tcpFlags);
            if (reason != DropReason.None)
            {
                _stats.ParseDrops.Add(_thread + 1, reason);
                continue;
            }

            Megaflow? flow = null;
            if (emcEnabled)
            {
                flow = _emc.Lookup(key);
                if (flow is not null)
                {
                    emcHits++;
                }
            }

            if (flow is null)
            {
                flow = _flows.Lookup(key, _lookup, out int probed);
                if (flow is not null)
                {
                    maskHits += probed;
                    if (emcEnabled)
                    {
                        _emc.MaybeInsert(key, flow);
                    }
                }
            }

            if (flow is null)
            {
                missed++;
                CompleteForSlowPath(rx, i);
                if (!Miss(inPort, key, frame, rx.Vnet(i), nowMs, tcpFlags))
                {
                    lost++;
                }

                continue;
            }

            hits++;
            flow.AddHit(_thread, frame.Length, tcpFlags, nowMs);
            if (ActionExecutor.Execute(frame, rx.Vnet(i), inPort, flow.Actions, _outputs) && !Enqueue(inPort, key, frame, nowMs, tcpFlags, out _))
            {
                lost++;
            }
        }

        return (hits, missed, lost, emcHits, maskHits);
    }

    /// <summary>
    /// The slow path sees plain frames: a partial checksum of a frame that missed is completed in its receive slot before
    /// the upcall copies it, so that its packet-out (sent without a vnet header) is a valid frame. A GSO super-frame
    /// goes up as it is; its packet-out is larger than the MTU and dropped by the output port, and the sender retransmits.
    /// </summary>
    private static void CompleteForSlowPath(PacketBatch rx, int i)
    {
        ref Offloads.VirtioNetHeader vnet = ref rx.Vnet(i);
        if (vnet.NeedsOffload && vnet.GsoType == Offloads.VirtioGsoType.None && Offloads.PartialChecksum.Complete(rx.Frame(i), vnet))
        {
            vnet = default;
        }
    }

    // Slow path: the only allocation of the fast path (a private copy of the frame for the control plane). A miss that
    // the slow path translated on this thread is executed here at once, with its vnet header (a packet-out has none).
    private bool Miss(ushort inPort, in FlowKey key, ReadOnlySpan<byte> frame, in Offloads.VirtioNetHeader vnet, long nowMs, ushort tcpFlags)
    {
        if (!Enqueue(inPort, key, frame, nowMs, tcpFlags, out DatapathActions? now))
        {
            return false;
        }

        if (now is not null)
        {
            // Actions that would send it up again (userspace) are not followed here: that would loop.
            ActionExecutor.Execute(frame, vnet, inPort, now, _outputs);
        }

        return true;
    }

    // Slow path: the upcall of a miss (Miss) or of a packet whose megaflow asks for userspace (an LACPDU, executed
    // already: what the consumer returns for it is not followed), carrying a copy of the frame.
    private bool Enqueue(ushort inPort, in FlowKey key, ReadOnlySpan<byte> frame, long nowMs, ushort tcpFlags, out DatapathActions? executeNow) =>
        _upcalls.TryEnqueue(new Upcall(inPort, key, frame.ToArray(), nowMs, tcpFlags), out executeNow);
}
