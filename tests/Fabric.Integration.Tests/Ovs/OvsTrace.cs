namespace Fabric.Integration.Tests.Ovs;

/// <summary>
/// The parts of an <c>ovs-appctl ofproto/trace</c> result a differential test compares: per pass the "Flow:",
/// "Final flow:", "Megaflow:" and "Datapath actions:" lines. A trace that recirculates (ct, balance-tcp bonds, …)
/// has one pass per recirculation, separated by lines of '='; <see cref="Megaflow"/> and <see cref="DatapathActions"/>
/// are the first pass's (the one the packet's own upcall installs).
/// </summary>
public sealed class OvsTrace
{
    private OvsTrace(IReadOnlyList<Pass> passes, string text)
    {
        Passes = passes;
        Text = text;
    }

    /// <summary>One translation pass (the original packet, or one resumed after recirculation).</summary>
    /// <param name="Flow">The "Flow:" line's value (the flow as traced).</param>
    /// <param name="FinalFlow">The "Final flow:" line's value ("unchanged" when the actions did not modify it).</param>
    /// <param name="Megaflow">The "Megaflow:" line's value: the wildcarded match the datapath flow would get.</param>
    /// <param name="DatapathActions">The "Datapath actions:" line's value, e.g. <c>push_vlan(vid=10,pcp=0),2</c> or <c>drop</c>.</param>
    public sealed record Pass(string Flow, string FinalFlow, string Megaflow, string DatapathActions)
    {
        /// <summary>The megaflow's fields: <c>key=value</c>, and bare keys (<c>eth</c>, <c>ip</c>, <c>arp</c>) with an empty value.</summary>
        public IReadOnlyDictionary<string, string> MegaflowFields => ParseFields(Megaflow);

        /// <summary>The datapath actions split at top-level commas (commas inside parentheses stay); empty for <c>drop</c>.</summary>
        public IReadOnlyList<string> Actions => DatapathActions == "drop" ? [] : SplitTopLevel(DatapathActions);

        /// <summary>The datapath ports of the plain output actions (the bare numbers among <see cref="Actions"/>), in order.</summary>
        public IReadOnlyList<int> OutputPorts => Actions.Where(a => a.All(char.IsAsciiDigit)).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Every pass, in the order printed.</summary>
    public IReadOnlyList<Pass> Passes { get; }

    /// <summary>The whole trace, for failure messages.</summary>
    public string Text { get; }

    /// <summary>The first pass's megaflow.</summary>
    public string Megaflow => Passes[0].Megaflow;

    /// <summary>The first pass's datapath actions.</summary>
    public string DatapathActions => Passes[0].DatapathActions;

    /// <summary>The first pass's megaflow fields.</summary>
    public IReadOnlyDictionary<string, string> MegaflowFields => Passes[0].MegaflowFields;

    /// <summary>The first pass's datapath actions, split.</summary>
    public IReadOnlyList<string> Actions => Passes[0].Actions;

    /// <summary>The first pass's output ports.</summary>
    public IReadOnlyList<int> OutputPorts => Passes[0].OutputPorts;

    /// <summary>Parses ofproto/trace output; throws <see cref="FormatException"/> when it has no Megaflow/Datapath actions pair.</summary>
    public static OvsTrace Parse(string output)
    {
        var passes = new List<Pass>();
        string flow = "", final = "", megaflow = "";
        string? pendingMegaflow = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (Value(line, "Flow:") is { } f)
            {
                flow = f;
            }
            else if (Value(line, "Final flow:") is { } ff)
            {
                final = ff;
            }
            else if (Value(line, "Megaflow:") is { } m)
            {
                pendingMegaflow = megaflow = m;
            }
            else if (Value(line, "Datapath actions:") is { } a)
            {
                if (pendingMegaflow is null)
                {
                    throw new FormatException($"\"Datapath actions:\" without a \"Megaflow:\" line before it in:\n{output}");
                }

                passes.Add(new Pass(flow, final, megaflow, a));
                pendingMegaflow = null;
                flow = final = "";
            }
        }

        if (passes.Count == 0)
        {
            throw new FormatException($"no \"Megaflow:\"/\"Datapath actions:\" lines in ofproto/trace output:\n{output}");
        }

        return new OvsTrace(passes, output);
    }

    private static string? Value(string line, string label) =>
        line.StartsWith(label, StringComparison.Ordinal) ? line[label.Length..].Trim() : null;

    private static Dictionary<string, string> ParseFields(string match)
    {
        var fields = new Dictionary<string, string>();
        foreach (var part in SplitTopLevel(match))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            fields[eq < 0 ? part : part[..eq]] = eq < 0 ? "" : part[(eq + 1)..];
        }

        return fields;
    }

    /// <summary>Splits at commas outside parentheses: <c>set(eth(src=a,dst=b)),2</c> → <c>set(eth(src=a,dst=b))</c>, <c>2</c>.</summary>
    public static IReadOnlyList<string> SplitTopLevel(string s)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(s[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }

        if (start < s.Length)
        {
            parts.Add(s[start..].Trim());
        }

        return parts.Where(p => p.Length > 0).ToList();
    }
}
