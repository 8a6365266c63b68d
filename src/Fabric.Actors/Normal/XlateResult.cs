using Fabric.Actors.Bridge;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;

namespace Fabric.Actors.Normal;

/// <summary>
/// The outcome of translating one flow through a bridge: the datapath actions, the megaflow mask
/// (exactly the fields translation consulted, ovs-facts §4 "un-wildcarding"), the VLAN the frame
/// belongs to, what MAC learning did, and a one-line reason in <c>ofproto/trace</c>'s words.
/// </summary>
/// <param name="Actions">Datapath actions; empty = drop.</param>
/// <param name="Mask">Megaflow mask.</param>
/// <param name="Vlan">The frame's VLAN on this bridge, or -1 when it was dropped before VLAN assignment.</param>
/// <param name="Learn">What learning the source address did (Unchanged when learning was not allowed).</param>
/// <param name="Reason">Trace text, e.g. "forwarding to learned port".</param>
public sealed record XlateResult(DatapathActions Actions, FlowMask Mask, int Vlan, MacLearnResult Learn, string Reason);
