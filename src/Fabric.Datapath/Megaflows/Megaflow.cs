using System.Globalization;
using System.Text;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// One installed datapath flow (a megaflow, ovs-facts §3.1): a masked key, its mask, the actions and the
/// statistics. Poll threads update the statistics lock-free with <see cref="Interlocked"/>; the single writer
/// (<see cref="MegaflowTable"/>) may replace the actions in place (<see cref="MegaflowTable.ModifyActions"/>).
/// </summary>
public sealed class Megaflow
{
    private DatapathActions _actions;
    private object? _owner;
    private long _packets;
    private long _bytes;
    private long _lastUsedMs;
    private int _tcpFlags;
    private volatile bool _removed;

    internal Megaflow(long id, in FlowKey maskedKey, in FlowMask mask, DatapathActions actions, object? owner, long createdMs)
    {
        Id = id;
        Key = maskedKey;
        Mask = mask;
        _actions = actions;
        _owner = owner;
        CreatedMs = createdMs;
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

    /// <summary>Packets that hit this flow.</summary>
    public long Packets => Volatile.Read(ref _packets);

    /// <summary>Bytes (whole frames) that hit this flow.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Unix time in ms of the last hit; 0 = never used.</summary>
    public long LastUsedMs => Volatile.Read(ref _lastUsedMs);

    /// <summary>OR of the TCP flags (12 bits) of every TCP packet that hit this flow.</summary>
    public ushort TcpFlags => (ushort)Volatile.Read(ref _tcpFlags);

    /// <summary>Unix time in ms when the flow was installed.</summary>
    public long CreatedMs { get; }

    /// <summary>Opaque control-plane tag (e.g. which bridge/shard installed it and what NORMAL consulted).</summary>
    public object? Owner
    {
        get => Volatile.Read(ref _owner);
        set => Volatile.Write(ref _owner, value);
    }

    /// <summary>
    /// Sets the statistics of a flow restored from a snapshot (recovery, before any poll thread sees it):
    /// <paramref name="packets"/>, <paramref name="bytes"/>, last use in Unix ms (0 = never) and TCP flags.
    /// </summary>
    public void RestoreStatistics(long packets, long bytes, long lastUsedMs, ushort tcpFlags)
    {
        Volatile.Write(ref _packets, packets);
        Volatile.Write(ref _bytes, bytes);
        Volatile.Write(ref _lastUsedMs, lastUsedMs);
        Volatile.Write(ref _tcpFlags, tcpFlags);
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

    /// <summary>Accounts <paramref name="packets"/> hits totalling <paramref name="bytes"/> at <paramref name="nowMs"/> (lock-free).</summary>
    internal void AddHits(long packets, long bytes, ushort tcpFlags, long nowMs)
    {
        Interlocked.Add(ref _packets, packets);
        Interlocked.Add(ref _bytes, bytes);
        if (Volatile.Read(ref _lastUsedMs) < nowMs)
        {
            Volatile.Write(ref _lastUsedMs, nowMs);
        }

        if (tcpFlags != 0 && (Volatile.Read(ref _tcpFlags) & tcpFlags) != tcpFlags)
        {
            Interlocked.Or(ref _tcpFlags, tcpFlags);
        }
    }

    /// <summary>Marks the flow removed (called by the table's writer).</summary>
    internal void MarkRemoved() => _removed = true;
}
