using System.Globalization;
using System.Text;

namespace Fabric.Host.Cli;

/// <summary>
/// Renders the plain-text outputs of <c>fabric ctl</c> commands in Open vSwitch's exact layouts, so
/// that scripts and tests written against OVS output can parse them (ovs-facts §2.4, §3.3 and
/// <c>ovs-output-examples/</c>). Every line ends with <c>\n</c>; no colour, no trailing blanks.
/// </summary>
public static class TableRenderer
{
    /// <summary>The <c>fdb/show</c> header line for one bridge (OVS before the v4.0 development cycle).</summary>
    public const string FdbHeader = " port  VLAN  MAC                Age";

    private const string BridgeHeader = "Bridge";

    /// <summary>
    /// Formats MAC learning entries like <c>ovs-appctl fdb/show</c>: the header
    /// <c> port  VLAN  MAC                Age</c>, then per row the port right-aligned in 5 columns,
    /// two spaces, the VLAN right-aligned in 4, two spaces, the MAC, two spaces, and the age in seconds
    /// right-aligned in 3 or <c>static</c>. Rows are printed in the order given (OVS prints LRU first).
    /// With <paramref name="multiBridge"/> a left-aligned <c>Bridge</c> column and two spaces come first.
    /// </summary>
    /// <param name="rows">The entries, in print order.</param>
    /// <param name="multiBridge">True to prepend the Bridge column (used when more than one bridge is shown).</param>
    /// <returns>The table text, header included, each line ending in <c>\n</c>.</returns>
    public static string FormatFdb(IEnumerable<FdbRow> rows, bool multiBridge)
    {
        ArgumentNullException.ThrowIfNull(rows);
        IReadOnlyList<FdbRow> list = rows as IReadOnlyList<FdbRow> ?? rows.ToList();
        int bridgeWidth = BridgeHeader.Length;
        if (multiBridge)
        {
            foreach (FdbRow row in list)
            {
                bridgeWidth = Math.Max(bridgeWidth, row.Bridge.Length);
            }
        }

        var text = new StringBuilder();
        if (multiBridge)
        {
            text.Append(BridgeHeader.PadRight(bridgeWidth)).Append("  ");
        }

        text.Append(FdbHeader).Append('\n');
        foreach (FdbRow row in list)
        {
            if (multiBridge)
            {
                text.Append(row.Bridge.PadRight(bridgeWidth)).Append("  ");
            }

            text.Append(CultureInfo.InvariantCulture, $"{row.Port,5}  {row.Vlan,4}  {row.Mac}  ");
            if (row.AgeSeconds is int age)
            {
                text.Append(CultureInfo.InvariantCulture, $"{age,3}");
            }
            else
            {
                text.Append("static");
            }

            if (row.RemoteNode is { } node)
            {
                text.Append("  remote: ").Append(node);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// Formats the switch configuration in the shape of <c>ovs-vsctl show</c> (vsctl-show.txt): the
    /// node UUID, then per bridge <c>    Bridge NAME</c> (optional <c>datapath_type:</c>), per port
    /// <c>        Port NAME</c> with <c>tag:</c>, <c>trunks: [a, b]</c> and <c>vlan_mode:</c> when set, and
    /// <c>            Interface NAME</c> with <c>type:</c> (omitted for <c>system</c>, as OVS omits the
    /// default type) and <c>options: {key="value", ...}</c> when it has options (a VXLAN port). Fabric adds three
    /// lines under each interface that <c>ovs-vsctl show</c> does not print: <c>ofport: N</c>, <c>dp_port: N</c> and
    /// <c>link_state: up|down</c>. Names are quoted
    /// exactly when OVSDB would quote them (anything but <c>[A-Za-z_][A-Za-z0-9_.-]*</c>, or
    /// <c>true</c>/<c>false</c>/a UUID).
    /// </summary>
    /// <param name="model">What to print.</param>
    /// <returns>The text, each line ending in <c>\n</c>.</returns>
    public static string FormatShow(ShowModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var text = new StringBuilder();
        if (model.Id is Guid id)
        {
            text.Append(id.ToString("D")).Append('\n');
        }

        foreach (ShowBridge bridge in model.Bridges)
        {
            text.Append("    Bridge ").Append(Quote(bridge.Name)).Append('\n');
            if (!string.IsNullOrEmpty(bridge.DatapathType))
            {
                text.Append("        datapath_type: ").Append(Quote(bridge.DatapathType)).Append('\n');
            }

            foreach (ShowPort port in bridge.Ports)
            {
                AppendPort(text, port);
            }
        }

        foreach (var (key, value) in new[] { ("started", model.Started), ("switch_over", model.SwitchOver), ("keeper", model.Keeper) })
        {
            if (value is not null)
            {
                text.Append("    ").Append(key).Append(": ").Append(Quote(value)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Formats datapath statistics and ports like <c>ovs-appctl dpctl/show</c> (ovs-facts §3.3,
    /// OVS <c>lib/dpctl.c:show_dpif</c>): <c>NAME:</c>, <c>  lookups: hit:N missed:N lost:N</c>,
    /// <c>  flows: N</c>, <c>  masks: hit:N total:N hit/pkt:X.XX</c> (mask hits per looked-up packet),
    /// optionally <c>  cache: hit:N hit-rate:X.XX%</c> and <c>  offloads: dropped:N</c>, then <c>  port N: name</c> per port sorted by
    /// number, followed by <c> (type)</c> or <c> (type: key=value, ...)</c> unless the type is
    /// <c>system</c>.
    /// </summary>
    /// <param name="model">What to print.</param>
    /// <returns>The text, each line ending in <c>\n</c>.</returns>
    public static string FormatDpShow(DpShowModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CultureInfo inv = CultureInfo.InvariantCulture;
        long packets = model.Hit + model.Missed;
        double hitPerPacket = packets > 0 ? (double)model.MaskHit / packets : 0.0;
        var text = new StringBuilder();
        text.Append(model.Name).Append(":\n");
        text.Append(inv, $"  lookups: hit:{model.Hit} missed:{model.Missed} lost:{model.Lost}\n");
        text.Append(inv, $"  flows: {model.Flows}\n");
        text.Append(inv, $"  masks: hit:{model.MaskHit} total:{model.Masks} hit/pkt:{hitPerPacket:F2}\n");
        if (model.CacheHit is long cacheHit)
        {
            double rate = packets > 0 ? (double)cacheHit / packets * 100 : 0.0;
            text.Append(inv, $"  cache: hit:{cacheHit} hit-rate:{rate:F2}%\n");
        }

        if (model.OffloadDropped is long offloadDropped)
        {
            text.Append(inv, $"  offloads: dropped:{offloadDropped}\n");
        }

        DpShowPort[] ports = model.Ports.ToArray();
        Array.Sort(ports, static (a, b) => a.PortNo.CompareTo(b.PortNo));
        foreach (DpShowPort port in ports)
        {
            text.Append(inv, $"  port {port.PortNo}: {port.Name}");
            if (!string.Equals(port.Type, "system", StringComparison.Ordinal) && !string.IsNullOrEmpty(port.Type))
            {
                text.Append(" (").Append(port.Type);
                if (port.Config is { Count: > 0 } config)
                {
                    string[] keys = config.Keys.ToArray();
                    Array.Sort(keys, StringComparer.Ordinal);
                    for (int i = 0; i < keys.Length; i++)
                    {
                        text.Append(i == 0 ? ": " : ", ").Append(keys[i]).Append('=').Append(config[keys[i]]);
                    }
                }

                text.Append(')');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static void AppendPort(StringBuilder text, ShowPort port)
    {
        text.Append("        Port ").Append(Quote(port.Name)).Append('\n');
        if (port.Tag is int tag)
        {
            text.Append(CultureInfo.InvariantCulture, $"            tag: {tag}\n");
        }

        if (port.Trunks.Count > 0)
        {
            int[] trunks = port.Trunks.ToArray();
            Array.Sort(trunks);
            text.Append("            trunks: [").Append(string.Join(", ", trunks)).Append("]\n");
        }

        if (!string.IsNullOrEmpty(port.VlanMode))
        {
            text.Append("            vlan_mode: ").Append(Quote(port.VlanMode)).Append('\n');
        }

        if (port.Interfaces.Count > 0)
        {
            foreach (ShowInterface i in port.Interfaces)
            {
                text.Append("            Interface ").Append(Quote(i.Name)).Append('\n');
                text.Append(CultureInfo.InvariantCulture, $"                ofport: {port.OfPort}\n");
                text.Append(CultureInfo.InvariantCulture, $"                dp_port: {i.DpPort}\n");
                text.Append("                link_state: ").Append(i.CarrierUp ? "up" : "down").Append('\n');
            }

            return;
        }

        text.Append("            Interface ").Append(Quote(port.Name)).Append('\n');
        if (!string.IsNullOrEmpty(port.Type) && !string.Equals(port.Type, "system", StringComparison.Ordinal))
        {
            text.Append("                type: ").Append(Quote(port.Type)).Append('\n');
        }

        if (port.Options.Count > 0)
        {
            // OVSDB prints a string map sorted by key, keys and values quoted by its atom rule ("100", "10.9.0.2", flow).
            string[] keys = port.Options.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            text.Append("                options: {");
            for (int i = 0; i < keys.Length; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(Quote(keys[i])).Append('=').Append(Quote(port.Options[keys[i]]));
            }

            text.Append("}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"                ofport: {port.OfPort}\n");
        text.Append(CultureInfo.InvariantCulture, $"                dp_port: {port.DpPort}\n");
        text.Append("                link_state: ").Append(port.CarrierUp ? "up" : "down").Append('\n');
    }

    /// <summary>Quotes a string the way OVSDB's <c>ovsdb_atom_to_string</c> does for string atoms.</summary>
    private static string Quote(string value)
    {
        if (!NeedsQuotes(value))
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0 || !(char.IsAsciiLetter(value[0]) || value[0] == '_'))
        {
            return true;
        }

        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return true;
            }
        }

        return value is "true" or "false" || Guid.TryParseExact(value, "D", out _);
    }
}
