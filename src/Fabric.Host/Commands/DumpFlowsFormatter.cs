using System.Globalization;
using System.Text;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;

namespace Fabric.Host.Commands;

/// <summary>
/// Formats megaflows the way <c>ovs-appctl dpctl/dump-flows</c> does (ovs-facts §5.4):
/// <c>&lt;key&gt;, packets:N, bytes:N, used:X.XXXs|never[, flags:F], actions:&lt;actions&gt;</c>.
/// </summary>
public static class DumpFlowsFormatter
{
    /// <summary>One line for <paramref name="flow"/> at <paramref name="nowMs"/> (Unix ms); <paramref name="verbose"/> adds the ufid prefix.</summary>
    public static string Format(Megaflow flow, long nowMs, bool verbose)
    {
        var sb = new StringBuilder(256);
        if (verbose)
        {
            sb.Append("ufid:").Append(Ufid(flow.Id)).Append(", ");
        }

        sb.Append(FlowFormatter.FormatOdp(flow.Key, flow.Mask));
        sb.Append(", packets:").Append(flow.Packets.ToString(CultureInfo.InvariantCulture));
        sb.Append(", bytes:").Append(flow.Bytes.ToString(CultureInfo.InvariantCulture));
        sb.Append(", used:");
        var used = flow.LastUsedMs;
        if (used == 0)
        {
            sb.Append("never");
        }
        else
        {
            var ago = Math.Max(0, nowMs - used) / 1000.0;
            sb.Append(ago.ToString("0.000", CultureInfo.InvariantCulture)).Append('s');
        }

        if (flow.TcpFlags != 0)
        {
            sb.Append(", flags:").Append(TcpFlags(flow.TcpFlags));
        }

        if (verbose)
        {
            sb.Append(", dp:fabric");
        }

        sb.Append(", actions:").Append(flow.Actions.ToString());
        return sb.ToString();
    }

    /// <summary>TCP flags as OVS prints them: one letter per set flag (S F P R U . E C N).</summary>
    public static string TcpFlags(ushort flags)
    {
        var sb = new StringBuilder(9);
        if ((flags & 0x002) != 0) sb.Append('S');
        if ((flags & 0x001) != 0) sb.Append('F');
        if ((flags & 0x008) != 0) sb.Append('P');
        if ((flags & 0x004) != 0) sb.Append('R');
        if ((flags & 0x020) != 0) sb.Append('U');
        if ((flags & 0x010) != 0) sb.Append('.');
        if ((flags & 0x040) != 0) sb.Append('E');
        if ((flags & 0x080) != 0) sb.Append('C');
        if ((flags & 0x100) != 0) sb.Append('N');
        return sb.ToString();
    }

    private static string Ufid(long id)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes[8..], id);
        return new Guid(bytes).ToString();
    }
}
