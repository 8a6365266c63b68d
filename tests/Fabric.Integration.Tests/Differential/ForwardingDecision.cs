using System.Globalization;
using System.Text.RegularExpressions;
using Fabric.Actors.Normal;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;
using Fabric.Integration.Tests.Ovs;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// One switch's decision for one packet, in the form both sides are compared in: the copies it sends, each as
/// <c>port[tag]</c> (a port name, or the bond's name for any member — the member may differ, the hashes differ — with
/// the 802.1Q state the copy leaves with: <c>untagged</c> or <c>vid=V,pcp=P</c>), sorted (flood order is not
/// compared); no copies = dropped; and the canonical names of the megaflow's matched fields
/// (<see cref="MegaflowFieldNames"/>).
/// </summary>
/// <param name="Outputs">The copies sent, sorted; empty when dropped.</param>
/// <param name="Fields">Canonical names of the megaflow fields.</param>
/// <param name="Reason">The NORMAL verdict in ofproto/trace's words (OVS: its last "->" line; Fabric: <see cref="XlateResult.Reason"/>).</param>
/// <param name="Detail">What the switch printed (trace summary or Fabric's actions, mask and reason), for reports.</param>
public sealed partial record ForwardingDecision(IReadOnlyList<string> Outputs, IReadOnlySet<string> Fields, string Reason, string Detail)
{
    /// <summary>True when nothing is sent.</summary>
    public bool Dropped => Outputs.Count == 0;

    /// <summary>"drop" or the outputs joined.</summary>
    public string OutputsText => Dropped ? "drop" : string.Join(" ", Outputs);

    /// <summary>
    /// OVS's decision from the first pass of its trace (the pass the packet's own upcall installs). Datapath output
    /// ports map to names, members to the bond; <c>hash(…)</c> + <c>recirc(ID)</c> with the bond's recirculation id and
    /// <c>lb_output(…)</c> are outputs to the bond.
    /// </summary>
    public static ForwardingDecision FromOvs(OvsTrace trace, in FlowKey key, IReadOnlyDictionary<int, string> dpNames, int bondRecircId)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(dpNames);
        var outputs = new List<string>();
        var tag = InitialTag(key);
        foreach (var action in trace.Actions)
        {
            if (action.All(char.IsAsciiDigit))
            {
                var port = int.Parse(action, CultureInfo.InvariantCulture);
                outputs.Add(Copy(dpNames.TryGetValue(port, out var n) ? Normalize(n) : $"dp{port}", tag));
            }
            else if (PushVlanRegex().Match(action) is { Success: true } push)
            {
                tag = new VlanTag(int.Parse(push.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(push.Groups[2].Value, CultureInfo.InvariantCulture));
            }
            else if (action == "pop_vlan")
            {
                tag = null;
            }
            else if (action.StartsWith("hash(", StringComparison.Ordinal))
            {
                // The balance-tcp hash that feeds the recirculation; the recirc is the output.
            }
            else if (RecircRegex().Match(action) is { Success: true } recirc)
            {
                var id = Convert.ToInt32(recirc.Groups[1].Value, 16);
                outputs.Add(Copy(id == bondRecircId ? DifferentialTopology.Bond : action, tag));
            }
            else if (action.StartsWith("lb_output(", StringComparison.Ordinal))
            {
                outputs.Add(Copy(DifferentialTopology.Bond, tag));
            }
            else
            {
                outputs.Add("?" + action);
            }
        }

        outputs.Sort(StringComparer.Ordinal);
        var notes = trace.Text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("->", StringComparison.Ordinal) || l.StartsWith(">>", StringComparison.Ordinal)).ToList();
        var reason = notes.Count == 0 ? "" : notes[^1].TrimStart('-', '>', ' ');
        var detail = $"Megaflow: {trace.Megaflow}\n    Datapath actions: {trace.DatapathActions}\n    NORMAL: {string.Join("; ", notes)}";
        return new ForwardingDecision(outputs, MegaflowFieldNames.FromOvs(trace.MegaflowFields), reason, detail);
    }

    /// <summary>
    /// Fabric's decision from its translation. A bond output (<c>lb_output</c>) is resolved through the published bond
    /// map the way the datapath does per packet: a bucket whose output is 0 (no member may send) sends nothing.
    /// </summary>
    public static ForwardingDecision FromFabric(XlateResult result, in FlowKey key, FabricBondBridge bridge)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(bridge);
        var outputs = new List<string>();
        var tag = InitialTag(key);
        var resolved = new List<string>();
        foreach (var action in result.Actions.Items)
        {
            switch (action.Kind)
            {
                case DatapathActionKind.Output:
                    outputs.Add(Copy(Normalize(bridge.NameOf(action.Port)), tag));
                    break;
                case DatapathActionKind.PushVlan:
                case DatapathActionKind.SetVlanTci:
                    tag = new VlanTag(action.Tci & 0xfff, action.Tci >> 13);
                    break;
                case DatapathActionKind.PopVlan:
                    tag = null;
                    break;
                case DatapathActionKind.Bond:
                    var member = bridge.Bonds.Get(action.Port) is { } map ? map.OutputOf(action.Bucket) : (ushort)0;
                    resolved.Add($"lb_output({action.Port}) bucket {action.Bucket} → {(member == 0 ? "no member, not sent" : bridge.NameOf(member))}");
                    if (member != 0)
                    {
                        outputs.Add(Copy(DifferentialTopology.Bond, tag));
                    }

                    break;
                default:
                    outputs.Add("?" + action);
                    break;
            }
        }

        outputs.Sort(StringComparer.Ordinal);
        var detail = $"mask: {FlowFormatter.FormatOdp(key, result.Mask)}\n    actions: {result.Actions}{(resolved.Count > 0 ? " (" + string.Join("; ", resolved) + ")" : "")}\n    reason: {result.Reason}";
        return new ForwardingDecision(outputs, MegaflowFieldNames.FromFabric(key, result.Mask), result.Reason, detail);
    }

    /// <summary>True when Fabric's actions send to a balance-tcp bond (whose 5-tuple it un-wildcards, see <see cref="PacketComparison"/>).</summary>
    public static bool OutputsToTcpBond(XlateResult result, FabricBondBridge bridge)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(bridge);
        foreach (var action in result.Actions.Items)
        {
            if (action.Kind == DatapathActionKind.Bond && bridge.Bonds.Get(action.Port)?.Mode == BondMode.BalanceTcp)
            {
                return true;
            }
        }

        return false;
    }

    private static VlanTag? InitialTag(in FlowKey key) => key.HasVlan ? new VlanTag(key.VlanVid, key.VlanPcp) : null;

    private static string Normalize(string portName) => DifferentialTopology.IsMember(portName) ? DifferentialTopology.Bond : portName;

    private static string Copy(string port, VlanTag? tag) => $"{port}[{(tag is { } t ? t.ToString() : "untagged")}]";

    [GeneratedRegex(@"^push_vlan\((?:tpid=0x8100,)?vid=(\d+),pcp=(\d+)\)$")]
    private static partial Regex PushVlanRegex();

    [GeneratedRegex(@"^recirc\(0x([0-9a-f]+)\)$")]
    private static partial Regex RecircRegex();
}
