using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;

namespace Fabric.Actors.Datapath;

/// <summary>
/// Names one megaflow by its match, as data: the masked key and the mask. This is how control messages and
/// journal events refer to a flow, so they stay meaningful to another incarnation or another process.
/// </summary>
/// <param name="Key">The key, already ANDed with <paramref name="Mask"/>.</param>
/// <param name="Mask">The megaflow mask.</param>
public readonly record struct FlowMatch(FlowKey Key, FlowMask Mask)
{
    /// <summary>The match of an installed megaflow.</summary>
    public static FlowMatch Of(Megaflow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new FlowMatch(flow.Key, flow.Mask);
    }

    /// <summary>The match of the megaflow that <paramref name="key"/> (unmasked) gets under <paramref name="mask"/>.</summary>
    public static FlowMatch Of(in FlowKey key, in FlowMask mask) => new(key.Masked(mask), mask);
}
