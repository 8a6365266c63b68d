using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// One installed datapath flow (a megaflow, ovs-facts §3.1): a masked key, its mask, the actions and the
/// statistics. The single writer (<see cref="MegaflowTable"/>) may replace the actions in place
/// (<see cref="MegaflowTable.ModifyActions"/>).
/// </summary>
/// <remarks>
/// Statistics are kept per poll thread, as OVS keeps a flow's statistics per PMD thread: each poll thread adds its hits
/// to its own slot with plain stores, no atomic instruction, and readers (<see cref="Packets"/>, <see cref="Bytes"/>,
/// <see cref="LastUsedMs"/>, <see cref="TcpFlags"/>) sum, take the latest or OR the slots and a base that only the
/// control plane writes (<see cref="RestoreStatistics"/>). With several poll threads each slot sits on cache lines of
/// its own, away from the fields every thread reads on a hit (key, mask, actions), so two threads hitting one flow do
/// not bounce a line between their cores. That costs 96 bytes per poll thread and 64 of padding per flow; with one poll
/// thread the single slot is 32 bytes, unpadded.
/// </remarks>
public sealed class Megaflow
{
    // Per slot: packets, bytes, last use (Unix ms), TCP flags.
    private const int SlotCounters = 4;
    private const int PacketsAt = 0;
    private const int BytesAt = 1;
    private const int LastUsedAt = 2;
    private const int TcpFlagsAt = 3;

    // One slot per poll thread: slot t at _lead + t * _stride; a single slot is packed with no padding.
    private readonly long[] _slots;
    private readonly int _slotCount;
    private readonly int _lead;
    private readonly int _stride;
    private DatapathActions _actions;
    private object? _owner;
    private long _basePackets;
    private long _baseBytes;
    private long _baseLastUsedMs;
    private int _baseTcpFlags;
    private volatile bool _removed;

    internal Megaflow(long id, in FlowKey maskedKey, in FlowMask mask, DatapathActions actions, object? owner, long createdMs, int pollThreads = 1)
    {
        Id = id;
        Key = maskedKey;
        Mask = mask;
        _actions = actions;
        _owner = owner;
        CreatedMs = createdMs;
        _slotCount = Math.Max(1, pollThreads);
        if (_slotCount == 1)
        {
            _lead = 0;
            _stride = SlotCounters;
        }
        else
        {
            _lead = Forwarding.CounterRows.Lead;
            _stride = Forwarding.CounterRows.Stride(SlotCounters);
        }

        _slots = new long[_lead + (_slotCount * _stride)];
    }

    /// <summary>Unique, monotonic id within the table that installed it (never reused).</summary>
    public long Id { get; }

    /// <summary>The key, already ANDed with <see cref="Mask"/>.</summary>
    public FlowKey Key { get; }

    /// <summary>Which key bits this flow matches on.</summary>
    public FlowMask Mask { get; }

    /// <summary>The actions executed on every hit; replaced atomically by <see cref="MegaflowTable.ModifyActions"/>.</summary>
    public DatapathActions Actions
    {
        get => Volatile.Read(ref _actions);
        internal set => Volatile.Write(ref _actions, value);
    }

    /// <summary>Packets that hit this flow (summed over the poll threads).</summary>
    public long Packets => Volatile.Read(ref _basePackets) + SumSlots(PacketsAt);

    /// <summary>Bytes (whole frames) that hit this flow (summed over the poll threads).</summary>
    public long Bytes => Volatile.Read(ref _baseBytes) + SumSlots(BytesAt);

    /// <summary>Unix time in ms of the last hit on any poll thread; 0 = never used.</summary>
    public long LastUsedMs
    {
        get
        {
            long latest = Volatile.Read(ref _baseLastUsedMs);
            for (int i = _lead + LastUsedAt; i < _slots.Length; i += _stride)
            {
                latest = Math.Max(latest, Volatile.Read(ref _slots[i]));
            }

            return latest;
        }
    }

    /// <summary>OR of the TCP flags (12 bits) of every TCP packet that hit this flow, on any poll thread.</summary>
    public ushort TcpFlags
    {
        get
        {
            long flags = Volatile.Read(ref _baseTcpFlags);
            for (int i = _lead + TcpFlagsAt; i < _slots.Length; i += _stride)
            {
                flags |= Volatile.Read(ref _slots[i]);
            }

            return (ushort)flags;
        }
    }

    /// <summary>Number of per-poll-thread statistics slots (the datapath's poll threads).</summary>
    internal int StatisticsSlots => _slotCount;

    /// <summary>Packets counted in poll thread <paramref name="thread"/>'s slot alone (0 for a thread without one).</summary>
    internal long SlotPackets(int thread) =>
        (uint)thread < (uint)_slotCount ? Volatile.Read(ref _slots[_lead + (thread * _stride) + PacketsAt]) : 0;

    /// <summary>Unix time in ms when the flow was installed.</summary>
    public long CreatedMs { get; }

    /// <summary>Opaque control-plane tag (e.g. which bridge/shard installed it and what NORMAL consulted).</summary>
    public object? Owner
    {
        get => Volatile.Read(ref _owner);
        set => Volatile.Write(ref _owner, value);
    }

    /// <summary>
    /// Sets the statistics a flow restored from a snapshot carries over from before (recovery, control plane only):
    /// <paramref name="packets"/>, <paramref name="bytes"/>, last use in Unix ms (0 = never) and TCP flags become the
    /// flow's base, which poll threads never write; hits counted since the flow was installed add to it (a flow restored
    /// into a live table loses none of them).
    /// </summary>
    public void RestoreStatistics(long packets, long bytes, long lastUsedMs, ushort tcpFlags)
    {
        Volatile.Write(ref _basePackets, packets);
        Volatile.Write(ref _baseBytes, bytes);
        Volatile.Write(ref _baseLastUsedMs, lastUsedMs);
        Volatile.Write(ref _baseTcpFlags, tcpFlags);
    }

    /// <summary>False once the flow has been removed from its table; exact-match-cache entries pointing at it then miss.</summary>
    public bool IsLive => !_removed;

    /// <summary>
    /// The flow as <c>ovs-appctl dpctl/dump-flows</c> prints it (ovs-facts §5.4):
    /// <c>&lt;key&gt;, packets:N, bytes:N, used:X.XXXs|never[, flags:…], actions:…</c>, where used is measured from <paramref name="nowMs"/> (Unix ms).
    /// </summary>
    public string ToDumpString(long nowMs) => ToDumpString(nowMs, null);

    /// <summary>
    /// The dump line as <see cref="ToDumpString(long)"/>, with the ports of <paramref name="ports"/> (the datapath's
    /// port snapshot) in mind: a megaflow whose in_port is a VXLAN tunnel starts with the tunnel it came from,
    /// <c>tunnel(tun_id=…,src=…,dst=…,flags(+key)),</c>, and outputs to tunnels print as <c>tnl_push(…)</c>
    /// (<see cref="VxlanFormatter"/>).
    /// </summary>
    public string ToDumpString(long nowMs, IReadOnlyDictionary<ushort, IDatapathPort>? ports)
    {
        var sb = new StringBuilder();
        if (ports is not null && Mask.InPort != 0 && ports.TryGetValue(Key.InPort, out IDatapathPort? inPort) && inPort is VxlanTunnelPort tunnel)
        {
            sb.Append(VxlanFormatter.TunnelMatch(tunnel)).Append(',');
        }

        sb.Append(FlowFormatter.FormatOdp(Key, Mask));
        sb.Append(", packets:").Append(Packets.ToString(CultureInfo.InvariantCulture));
        sb.Append(", bytes:").Append(Bytes.ToString(CultureInfo.InvariantCulture));
        long used = LastUsedMs;
        sb.Append(", used:");
        if (used == 0)
        {
            sb.Append("never");
        }
        else
        {
            sb.Append((Math.Max(0, nowMs - used) / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)).Append('s');
        }

        ushort flags = TcpFlags;
        if (flags != 0)
        {
            sb.Append(", flags:").Append(FormatTcpFlags(flags));
        }

        sb.Append(", actions:").Append(Actions.ToString(ports));
        return sb.ToString();
    }

    /// <summary>The dump line with "used" relative to the current wall clock.</summary>
    public override string ToString() => ToDumpString(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>TCP flags in OVS's one-letter form (packet_format_tcp_flags): S F P R U . E C N.</summary>
    public static string FormatTcpFlags(ushort flags)
    {
        var sb = new StringBuilder(9);
        if ((flags & 0x002) != 0)
        {
            sb.Append('S');
        }

        if ((flags & 0x001) != 0)
        {
            sb.Append('F');
        }

        if ((flags & 0x008) != 0)
        {
            sb.Append('P');
        }

        if ((flags & 0x004) != 0)
        {
            sb.Append('R');
        }

        if ((flags & 0x020) != 0)
        {
            sb.Append('U');
        }

        if ((flags & 0x010) != 0)
        {
            sb.Append('.');
        }

        if ((flags & 0x040) != 0)
        {
            sb.Append('E');
        }

        if ((flags & 0x080) != 0)
        {
            sb.Append('C');
        }

        if ((flags & 0x100) != 0)
        {
            sb.Append('N');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Accounts one hit of <paramref name="bytes"/> with <paramref name="tcpFlags"/> at <paramref name="nowMs"/> in the slot
    /// of poll thread <paramref name="thread"/> (that thread only): plain loads and stores, no atomic instruction. A
    /// thread without a slot (a flow of a table built for fewer threads) is counted atomically in the base.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddHit(int thread, int bytes, ushort tcpFlags, long nowMs)
    {
        if ((uint)thread >= (uint)_slotCount)
        {
            AddHits(1, bytes, tcpFlags, nowMs);
            return;
        }

        // In range by construction (_lead + _slotCount * _stride == _slots.Length): no bounds check, no read of the array
        // header, whose cache line thread 0's slot may share.
        ref long slot = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), _lead + (thread * _stride));
        Volatile.Write(ref slot, slot + 1);
        ref long b = ref Unsafe.Add(ref slot, BytesAt);
        Volatile.Write(ref b, b + bytes);
        ref long used = ref Unsafe.Add(ref slot, LastUsedAt);
        if (used < nowMs)
        {
            Volatile.Write(ref used, nowMs);
        }

        if (tcpFlags != 0)
        {
            ref long flags = ref Unsafe.Add(ref slot, TcpFlagsAt);
            if ((flags & tcpFlags) != tcpFlags)
            {
                Volatile.Write(ref flags, flags | tcpFlags);
            }
        }
    }

    /// <summary>
    /// Accounts <paramref name="packets"/> hits totalling <paramref name="bytes"/> at <paramref name="nowMs"/> in the base,
    /// atomically (any thread; off the per-packet path).
    /// </summary>
    internal void AddHits(long packets, long bytes, ushort tcpFlags, long nowMs)
    {
        Interlocked.Add(ref _basePackets, packets);
        Interlocked.Add(ref _baseBytes, bytes);
        long used = Volatile.Read(ref _baseLastUsedMs);
        while (used < nowMs)
        {
            long seen = Interlocked.CompareExchange(ref _baseLastUsedMs, nowMs, used);
            if (seen == used)
            {
                break;
            }

            used = seen;
        }

        if (tcpFlags != 0)
        {
            Interlocked.Or(ref _baseTcpFlags, tcpFlags);
        }
    }

    private long SumSlots(int counter)
    {
        long total = 0;
        for (int i = _lead + counter; i < _slots.Length; i += _stride)
        {
            total += Volatile.Read(ref _slots[i]);
        }

        return total;
    }

    /// <summary>Marks the flow removed (called by the table's writer).</summary>
    internal void MarkRemoved() => _removed = true;
}
