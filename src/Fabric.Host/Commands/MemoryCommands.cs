using System.Globalization;
using System.Text;
using Fabric.Host.Control;
using Fabric.Host.Node;

namespace Fabric.Host.Commands;

/// <summary>
/// <c>memory/show</c>, as <c>ovs-appctl memory/show</c>: a first line of <c>name:count</c> pairs for the datapath's
/// sizes, then what a .NET process adds — the managed heap, the working set, and the garbage collector's collections
/// and pauses (a collection pauses the poll threads too, so a pause shows as forwarding latency).
/// </summary>
public static class MemoryCommands
{
    /// <summary>Registers <c>memory/show</c> of <paramref name="node"/> in <paramref name="registry"/>.</summary>
    public static void Register(ControlCommandRegistry registry, FabricNode node)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(node);
        registry.Register(
            "memory/show",
            "",
            "datapath sizes, managed heap and working set, garbage collections and their pauses",
            (_, _) => Task.FromResult(ControlReply.Ok(Format(MemoryFigures.Now(node.Datapath.Flows.Count, node.Datapath.Flows.MaskCount, node.Datapath.Ports.Count)))),
            0,
            0);
    }

    /// <summary>
    /// <paramref name="f"/> in four lines, for example:
    /// <code>
    /// megaflows:2 masks:1 ports:2
    /// managed heap: 14,203,912 bytes (1,024 fragmented); working set: 182,345,728 bytes
    /// collections: gen0 41, gen1 12, gen2 2; paused 38.2 ms in total (0.01 % of 312.0 s)
    /// last collection: #55, gen1, blocking, paused 1.84 ms, promoted 1,204,224 bytes
    /// </code>
    /// </summary>
    public static string Format(MemoryFigures f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"megaflows:{f.Megaflows} masks:{f.Masks} ports:{f.Ports}\n");
        sb.Append(inv, $"managed heap: {f.HeapBytes:N0} bytes ({f.FragmentedBytes:N0} fragmented); working set: {f.WorkingSetBytes:N0} bytes\n");
        double share = f.UptimeMs > 0 ? 100 * f.PausedMs / f.UptimeMs : 0;
        sb.Append(inv, $"collections: gen0 {f.Gen0}, gen1 {f.Gen1}, gen2 {f.Gen2}; paused {f.PausedMs:F1} ms in total ({share:F2} % of {f.UptimeMs / 1000:F1} s)\n");
        if (f.LastIndex == 0)
        {
            sb.Append("last collection: none\n");
        }
        else
        {
            sb.Append(inv, $"last collection: #{f.LastIndex}, gen{f.LastGeneration}, {f.LastKind}, paused {f.LastPauseMs:F2} ms, promoted {f.LastPromotedBytes:N0} bytes\n");
        }

        return sb.ToString();
    }
}
