using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Normal;

/// <summary>
/// The outcome of translating one flow through a bridge: the datapath actions, the megaflow mask
/// (exactly the fields translation consulted, ovs-facts §4 "un-wildcarding"), the VLAN the frame
/// belongs to, what MAC learning should do, and a one-line reason in <c>ofproto/trace</c>'s words.
/// </summary>
/// <param name="Actions">Datapath actions; empty = drop.</param>
/// <param name="Mask">Megaflow mask.</param>
/// <param name="Vlan">The frame's VLAN on this bridge, or -1 when it was dropped before VLAN assignment.</param>
/// <param name="LearnOfPort">
/// The OpenFlow port the source address should be learned on, because the table version translated against does
/// not have it there yet (new, or moved); -1 = nothing to learn (known on that port, multicast, or dropped first).
/// </param>
/// <param name="Reason">Trace text, e.g. "forwarding to learned port".</param>
public sealed record XlateResult(DatapathActions Actions, FlowMask Mask, int Vlan, int LearnOfPort, string Reason)
{
    /// <summary>True for an LACPDU on a bond member with LACP: the packet goes to the bond (its actions only send it up again).</summary>
    public bool IsLacp { get; init; }

    /// <summary>The frame is a gratuitous ARP (OVS is_gratuitous_arp): learning it on a port that is not a bond locks the entry for 5 s.</summary>
    public bool IsGratuitousArp { get; init; }

    /// <summary>The destination was not in the MAC table version translated against, so the frame was flooded (learning it makes the flow wrong).</summary>
    public bool Flooded { get; init; }
}
