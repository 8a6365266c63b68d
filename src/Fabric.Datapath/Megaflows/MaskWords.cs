using System.Runtime.CompilerServices;
using Fabric.Datapath.Flows;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// Room for the nonzero words of a mask (at most <see cref="FlowKey.WordCount"/>), stored inside the
/// <see cref="MegaflowSubtable"/> object itself so that hashing a key for a subtable reads no other object.
/// </summary>
[InlineArray(FlowKey.WordCount)]
internal struct MaskWords
{
    private ulong _word;
}
