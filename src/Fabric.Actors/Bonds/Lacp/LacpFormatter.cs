using System.Globalization;
using System.Text;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Packets.Lacp;

namespace Fabric.Actors.Bonds.Lacp;

/// <summary>
/// Text of <c>ovs-appctl lacp/show [port]</c> and <c>lacp/show-stats [port]</c> for one <see cref="LacpBond"/>, byte
/// for byte as OVS <c>lib/lacp.c:lacp_print_details</c> / <c>lacp_print_stats</c> print it (two-space indents, members
/// sorted by name with ordinal comparison, MACs as lowercase <c>aa:bb:cc:dd:ee:ff</c>, every line ending in
/// <c>\n</c>). Without a port argument OVS concatenates the blocks of all LACP objects.
/// </summary>
public static class LacpFormatter
{
    /// <summary>The <c>lacp/show</c> block of <paramref name="bond"/>.</summary>
    public static string Show(LacpBond bond)
    {
        var sb = new StringBuilder(1024);
        AppendShow(sb, bond);
        return sb.ToString();
    }

    /// <summary>The <c>lacp/show-stats</c> block of <paramref name="bond"/>.</summary>
    public static string ShowStats(LacpBond bond)
    {
        var sb = new StringBuilder(512);
        AppendShowStats(sb, bond);
        return sb.ToString();
    }

    /// <summary>
    /// Appends the <c>lacp/show</c> block: header, <c>status: active|passive[ negotiated]</c>, sys_id, sys_priority,
    /// aggregation key (or <c>none</c>), lacp_time, then per member its status, attachment, port id/priority,
    /// may_enable, our actor info and its partner info.
    /// </summary>
    public static StringBuilder AppendShow(StringBuilder sb, LacpBond bond)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(bond);
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.Append("---- ").Append(bond.Name).Append(" ----\n");
        sb.Append("  status: ").Append(bond.Mode == LacpMode.Active ? "active" : "passive");
        if (bond.Negotiated)
        {
            sb.Append(" negotiated");
        }

        sb.Append('\n');
        sb.Append("  sys_id: ").Append(FlowFormatter.FormatMac(bond.SystemId)).Append('\n');
        sb.Append(c, $"  sys_priority: {bond.SystemPriority}\n");
        sb.Append("  aggregation key: ");
        if (bond.KeyMember is null)
        {
            sb.Append("none");
        }
        else
        {
            sb.Append(bond.AggregationKey.ToString(c));
        }

        sb.Append('\n');
        sb.Append("  lacp_time: ").Append(bond.Time == LacpTime.Fast ? "fast" : "slow").Append('\n');

        foreach (LacpMember m in SortedMembers(bond))
        {
            LacpInfo actor = bond.ActorInfo(m);
            sb.Append("\nmember: ").Append(m.Name).Append(": ").Append(StatusWord(m.Status)).Append(' ')
                .Append(m.Attached ? "attached" : "detached").Append('\n');
            sb.Append(c, $"  port_id: {m.PortId}\n");
            sb.Append(c, $"  port_priority: {m.PortPriority}\n");
            sb.Append("  may_enable: ").Append(bond.MayEnableCore(m) ? "true" : "false").Append('\n');
            sb.Append('\n');
            AppendInfo(sb, "actor", actor);
            sb.Append('\n');
            AppendInfo(sb, "partner", m.Partner);
        }

        return sb;
    }

    /// <summary>
    /// Appends the <c>lacp/show-stats</c> block: header, then per member TX PDUs, RX PDUs, RX Bad PDUs, RX Marker
    /// Request PDUs, Link Expired, Link Defaulted and Carrier Status Changed counters.
    /// </summary>
    public static StringBuilder AppendShowStats(StringBuilder sb, LacpBond bond)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(bond);
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.Append("---- ").Append(bond.Name).Append(" statistics ----\n");
        foreach (LacpMember m in SortedMembers(bond))
        {
            sb.Append("\nmember: ").Append(m.Name).Append(":\n");
            sb.Append(c, $"  TX PDUs: {m.TxPdus}\n");
            sb.Append(c, $"  RX PDUs: {m.RxPdus}\n");
            sb.Append(c, $"  RX Bad PDUs: {m.RxBadPdus}\n");
            sb.Append(c, $"  RX Marker Request PDUs: {m.RxMarkerPdus}\n");
            sb.Append(c, $"  Link Expired: {m.LinkExpired}\n");
            sb.Append(c, $"  Link Defaulted: {m.LinkDefaulted}\n");
            sb.Append(c, $"  Carrier Status Changed: {m.CarrierStatusChanged}\n");
        }

        return sb;
    }

    /// <summary>
    /// The state octet as OVS words, each preceded by a space, in bit order: <c> activity timeout aggregation
    /// synchronized collecting distributing defaulted expired</c> (OVS <c>ds_put_lacp_state</c>); empty for none.
    /// </summary>
    public static string FormatState(LacpStateFlags state)
    {
        var sb = new StringBuilder(96);
        AppendState(sb, state);
        return sb.ToString();
    }

    /// <summary><c>current</c>, <c>expired</c> or <c>defaulted</c>.</summary>
    public static string StatusWord(LacpMemberStatus status) => status switch
    {
        LacpMemberStatus.Current => "current",
        LacpMemberStatus.Expired => "expired",
        _ => "defaulted",
    };

    private static void AppendInfo(StringBuilder sb, string who, in LacpInfo info)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.Append("  ").Append(who).Append(" sys_id: ").Append(FlowFormatter.FormatMac(info.SystemId)).Append('\n');
        sb.Append("  ").Append(who).Append(c, $" sys_priority: {info.SystemPriority}\n");
        sb.Append("  ").Append(who).Append(c, $" port_id: {info.PortId}\n");
        sb.Append("  ").Append(who).Append(c, $" port_priority: {info.PortPriority}\n");
        sb.Append("  ").Append(who).Append(c, $" key: {info.Key}\n");
        sb.Append("  ").Append(who).Append(" state:");
        AppendState(sb, info.State);
        sb.Append('\n');
    }

    private static void AppendState(StringBuilder sb, LacpStateFlags state)
    {
        AppendIf(sb, state, LacpStateFlags.Activity, " activity");
        AppendIf(sb, state, LacpStateFlags.Timeout, " timeout");
        AppendIf(sb, state, LacpStateFlags.Aggregation, " aggregation");
        AppendIf(sb, state, LacpStateFlags.Synchronization, " synchronized");
        AppendIf(sb, state, LacpStateFlags.Collecting, " collecting");
        AppendIf(sb, state, LacpStateFlags.Distributing, " distributing");
        AppendIf(sb, state, LacpStateFlags.Defaulted, " defaulted");
        AppendIf(sb, state, LacpStateFlags.Expired, " expired");
    }

    private static void AppendIf(StringBuilder sb, LacpStateFlags state, LacpStateFlags bit, string word)
    {
        if ((state & bit) != 0)
        {
            sb.Append(word);
        }
    }

    private static LacpMember[] SortedMembers(LacpBond bond)
    {
        var sorted = new LacpMember[bond.Members.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = bond.Members[i];
        }

        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return sorted;
    }
}
