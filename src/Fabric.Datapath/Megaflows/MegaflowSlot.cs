namespace Fabric.Datapath.Megaflows;

/// <summary>
/// One slot of a <see cref="MegaflowSubtable"/>: the flow and its subtable hash side by side (16 bytes, four slots to
/// a cache line), so that a probe that lands on another flow is rejected by comparing 32 bits in the slot array,
/// without touching the flow.
/// </summary>
/// <remarks>
/// Publication: the writer stores <see cref="Hash"/> first and then <see cref="Flow"/> with a release write; a reader
/// reads <see cref="Flow"/> with an acquire read and only then <see cref="Hash"/>, so a reader that sees a flow sees
/// its hash. A slot's hash changes only while it holds null or the tombstone, which never match. (Measured against a
/// separate array of 16-bit signatures: that array is 8 times smaller, but a hit then costs one more cache miss, and
/// with 100,000 megaflows over 8 or 32 masks it was 20 to 40 % slower.)
/// </remarks>
internal struct MegaflowSlot
{
    /// <summary>The flow, the subtable's tombstone (a removed flow), or null (never used: a probe stops here).</summary>
    public Megaflow? Flow;

    /// <summary>The subtable hash of the flow's masked key (<see cref="MegaflowSubtable.HashOf"/>).</summary>
    public int Hash;
}
