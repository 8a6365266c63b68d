using System.Globalization;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Actions;

/// <summary>
/// One datapath action. A small immutable value; only the members relevant to <see cref="Kind"/> are set.
/// TCIs use the OVS convention of <see cref="FlowKey.VlanTci"/> (0x1000 = tag present | pcp &lt;&lt; 13 | vid);
/// the present bit is not written to the wire (OVS clears CFI/DEI when pushing).
/// </summary>
public readonly struct DatapathAction : IEquatable<DatapathAction>
{
    private DatapathAction(DatapathActionKind kind, ushort port, ushort tci, ushort tpid, ulong mac, byte bucket = 0)
    {
        Kind = kind;
        Port = port;
        Tci = tci;
        Tpid = tpid;
        Mac = mac;
        Bucket = bucket;
    }

    /// <summary>What the action does.</summary>
    public DatapathActionKind Kind { get; }

    /// <summary>Output port number (<see cref="DatapathActionKind.Output"/>), or bond id (<see cref="DatapathActionKind.Bond"/>).</summary>
    public ushort Port { get; }

    /// <summary>The hash bucket (0..255) a <see cref="DatapathActionKind.Bond"/> output is made for.</summary>
    public byte Bucket { get; }

    /// <summary>Tag control information, always with the 0x1000 present bit (push/set VLAN).</summary>
    public ushort Tci { get; }

    /// <summary>Tag protocol identifier pushed: 0x8100 (802.1Q) or 0x88a8 (802.1ad).</summary>
    public ushort Tpid { get; }

    /// <summary>New MAC address, 48 bits in network order (set eth src/dst).</summary>
    public ulong Mac { get; }

    /// <summary>Output to datapath port <paramref name="port"/>.</summary>
    public static DatapathAction Output(ushort port) => new(DatapathActionKind.Output, port, 0, 0, 0);

    /// <summary>
    /// Output to bond <paramref name="bondId"/> (1..65535) through hash bucket <paramref name="bucket"/>: the member is
    /// the bucket's (balanced modes) or the active member (active-backup) in the datapath's bond table when the packet
    /// is sent, so a failover or a rebalance needs no new megaflow.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bondId"/> is 0.</exception>
    public static DatapathAction Bond(ushort bondId, byte bucket)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bondId);
        return new(DatapathActionKind.Bond, bondId, 0, 0, 0, bucket);
    }

    /// <summary>Push a VLAN tag with <paramref name="tci"/> (vid and pcp; the present bit is added) and <paramref name="tpid"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tpid"/> is neither 0x8100 nor 0x88a8.</exception>
    public static DatapathAction PushVlan(ushort tci, ushort tpid = 0x8100)
    {
        if (tpid != 0x8100 && tpid != 0x88a8)
        {
            throw new ArgumentOutOfRangeException(nameof(tpid), tpid, "TPID must be 0x8100 or 0x88a8");
        }

        return new(DatapathActionKind.PushVlan, 0, (ushort)(tci | FlowKey.VlanPresent), tpid, 0);
    }

    /// <summary>Push a VLAN tag for <paramref name="vid"/> (0..4095) and <paramref name="pcp"/> (0..7); other bits are ignored.</summary>
    public static DatapathAction PushVlanTag(int vid, int pcp = 0, ushort tpid = 0x8100) =>
        PushVlan((ushort)((vid & 0xfff) | ((pcp & 7) << 13)), tpid);

    /// <summary>Pop the outermost VLAN tag.</summary>
    public static DatapathAction PopVlan() => new(DatapathActionKind.PopVlan, 0, 0, 0, 0);

    /// <summary>Rewrite the outermost tag's TCI to <paramref name="tci"/> (vid and pcp), or push an 802.1Q tag when untagged.</summary>
    public static DatapathAction SetVlanTci(ushort tci) =>
        new(DatapathActionKind.SetVlanTci, 0, (ushort)(tci | FlowKey.VlanPresent), 0x8100, 0);

    /// <summary>Send the packet to the slow path (an upcall).</summary>
    public static DatapathAction Userspace() => new(DatapathActionKind.Userspace, 0, 0, 0, 0);

    /// <summary>Rewrite the Ethernet source address to <paramref name="mac"/> (48 bits).</summary>
    public static DatapathAction SetEthSrc(ulong mac) => new(DatapathActionKind.SetEthSrc, 0, 0, 0, mac & 0xffff_ffff_ffffUL);

    /// <summary>Rewrite the Ethernet destination address to <paramref name="mac"/> (48 bits).</summary>
    public static DatapathAction SetEthDst(ulong mac) => new(DatapathActionKind.SetEthDst, 0, 0, 0, mac & 0xffff_ffff_ffffUL);

    /// <summary>ODP syntax of this one action, as <c>ovs-appctl dpctl/dump-flows</c> prints it.</summary>
    public override string ToString() => Kind switch
    {
        DatapathActionKind.Output => Port.ToString(CultureInfo.InvariantCulture),
        DatapathActionKind.PushVlan => "push_vlan(" + FormatTpid(Tpid) + FormatTci(Tci) + ")",
        DatapathActionKind.PopVlan => "pop_vlan",
        DatapathActionKind.SetVlanTci => "pop_vlan,push_vlan(" + FormatTci(Tci) + ")",
        DatapathActionKind.Userspace => "userspace(pid=0,slow_path(action))",
        DatapathActionKind.SetEthSrc => "set(eth(src=" + FlowFormatter.FormatMac(Mac) + "))",
        DatapathActionKind.SetEthDst => "set(eth(dst=" + FlowFormatter.FormatMac(Mac) + "))",
        DatapathActionKind.Bond => "lb_output(" + Port.ToString(CultureInfo.InvariantCulture) + ")",
        _ => "unknown",
    };

    /// <inheritdoc/>
    public bool Equals(DatapathAction other) =>
        Kind == other.Kind && Port == other.Port && Tci == other.Tci && Tpid == other.Tpid && Mac == other.Mac && Bucket == other.Bucket;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DatapathAction other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Port, Tci, Tpid, Mac, Bucket);

    /// <summary>Action equality.</summary>
    public static bool operator ==(DatapathAction left, DatapathAction right) => left.Equals(right);

    /// <summary>Action inequality.</summary>
    public static bool operator !=(DatapathAction left, DatapathAction right) => !left.Equals(right);

    private static string FormatTpid(ushort tpid) =>
        tpid == 0x8100 ? string.Empty : "tpid=0x" + tpid.ToString("x", CultureInfo.InvariantCulture) + ",";

    private static string FormatTci(ushort tci) => string.Create(
        CultureInfo.InvariantCulture, $"vid={tci & 0xfff},pcp={tci >> 13}");
}
