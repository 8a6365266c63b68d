using Fabric.Actors.Normal;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Flows;

namespace Fabric.Integration.Tests.Differential;

/// <summary>
/// Fabric's decision for one packet against OVS's: forwarding (dropped or not, which ports, which tags) must be equal,
/// and the megaflow field names must be equal except for one intended difference — for an output to a balance-tcp
/// bond Fabric may additionally match exactly the fields its bucket hash reads (<see cref="BondHash.UnwildcardTcpHashFields"/>:
/// the 5-tuple, or ARP spa/tpa/op), because Fabric resolves the member per packet from the 5-tuple bucket
/// (lb_output) where OVS recirculates on a datapath hash (<c>hash(l4(0)),recirc(…)</c>, no 5-tuple in the first-pass
/// megaflow) or, without negotiated LACP, never reaches the hash at all.
/// </summary>
/// <param name="Packet">The packet.</param>
/// <param name="Ovs">OVS's decision.</param>
/// <param name="Fabric">Fabric's decision.</param>
/// <param name="Missing">Fields OVS's megaflow matches and Fabric's does not.</param>
/// <param name="Extra">Fields Fabric's megaflow matches and OVS's does not, beyond the intended difference.</param>
/// <param name="Tolerated">Fabric-only fields accepted as the intended balance-tcp difference.</param>
public sealed record PacketComparison(
    TestPacket Packet,
    ForwardingDecision Ovs,
    ForwardingDecision Fabric,
    IReadOnlySet<string> Missing,
    IReadOnlySet<string> Extra,
    IReadOnlySet<string> Tolerated)
{
    /// <summary>True when both send the same copies (or both drop).</summary>
    public bool ForwardingAgrees => Ovs.Outputs.SequenceEqual(Fabric.Outputs, StringComparer.Ordinal);

    /// <summary>True when the megaflow field names agree (up to the intended difference).</summary>
    public bool FieldsAgree => Missing.Count == 0 && Extra.Count == 0;

    /// <summary>True when both agree.</summary>
    public bool Agrees => ForwardingAgrees && FieldsAgree;

    /// <summary>True when OVS sends a copy to the bond.</summary>
    public bool OvsSendsToBond => Ovs.Outputs.Any(o => o.StartsWith(DifferentialTopology.Bond + "[", StringComparison.Ordinal));

    /// <summary>
    /// A short key that groups disagreements of the same kind: the forwarding difference (drop vs forward, or
    /// different copies, with both sides' NORMAL verdicts) and the field differences.
    /// </summary>
    public string DisagreementClass
    {
        get
        {
            var parts = new List<string>();
            if (!ForwardingAgrees)
            {
                var kind = Ovs.Dropped ? "OVS drops, Fabric forwards"
                    : Fabric.Dropped ? "OVS forwards, Fabric drops"
                    : "different copies";
                parts.Add($"{kind} (OVS: \"{Ovs.Reason}\"; Fabric: \"{Fabric.Reason}\")");
            }

            if (Missing.Count > 0)
            {
                parts.Add("Fabric lacks {" + string.Join(",", Missing) + "}");
            }

            if (Extra.Count > 0)
            {
                parts.Add("Fabric adds {" + string.Join(",", Extra) + "}");
            }

            return string.Join("; ", parts);
        }
    }

    /// <summary>Compares the two decisions for <paramref name="packet"/>.</summary>
    public static PacketComparison Compare(TestPacket packet, in FlowKey key, ForwardingDecision ovs, ForwardingDecision fabric, XlateResult fabricResult, FabricBondBridge bridge)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(ovs);
        ArgumentNullException.ThrowIfNull(fabric);
        var missing = new SortedSet<string>(ovs.Fields.Except(fabric.Fields), StringComparer.Ordinal);
        var extra = new SortedSet<string>(fabric.Fields.Except(ovs.Fields), StringComparer.Ordinal);
        var tolerated = new SortedSet<string>(StringComparer.Ordinal);
        if (ForwardingDecision.OutputsToTcpBond(fabricResult, bridge))
        {
            var wc = default(FlowWildcards);
            BondHash.UnwildcardTcpHashFields(key, ref wc);
            var hashFields = MegaflowFieldNames.FromFabric(key, wc.ToMask());
            hashFields.Remove(MegaflowFieldNames.UntaggedNotPinned);
            foreach (var f in hashFields.Where(extra.Contains).ToList())
            {
                extra.Remove(f);
                tolerated.Add(f);
            }
        }

        return new PacketComparison(packet, ovs, fabric, missing, extra, tolerated);
    }

    /// <summary>A multi-line report of this packet: the packet, both decisions, and what differs.</summary>
    public string Report(string scenario)
    {
        var lines = new List<string>
        {
            $"DISAGREE [{scenario} #{Packet.Index} {Packet.Category}] {Packet.Description}",
            $"  frame  : in_port={Packet.InPort} {FrameBuilder.Hex(Packet.Frame)}",
            $"  OVS    : {Ovs.OutputsText}  fields {{{string.Join(",", Ovs.Fields)}}}",
            $"    {Ovs.Detail}",
            $"  Fabric : {Fabric.OutputsText}  fields {{{string.Join(",", Fabric.Fields)}}}",
            $"    {Fabric.Detail}",
            $"  differs: {DisagreementClass}",
        };
        return string.Join('\n', lines);
    }
}
