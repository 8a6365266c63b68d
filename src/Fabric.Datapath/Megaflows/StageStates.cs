using System.Runtime.CompilerServices;

namespace Fabric.Datapath.Megaflows;

/// <summary>
/// One lookup's first-stage hash states, by <see cref="MegaflowSubtable.StageId"/> (on the stack: a lookup allocates
/// nothing). Subtables with a larger id compute their own state.
/// </summary>
[InlineArray(Length)]
internal struct StageStates
{
    /// <summary>Stage ids cached per lookup.</summary>
    public const int Length = 16;

    private uint _state;
}
