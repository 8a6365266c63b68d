namespace Fabric.Integration.Tests.Differential;

/// <summary>An 802.1Q tag as a frame carries it (VID 0 = priority tag).</summary>
/// <param name="Vid">VLAN id, 0..4095.</param>
/// <param name="Pcp">Priority code point, 0..7.</param>
public readonly record struct VlanTag(int Vid, int Pcp)
{
    /// <summary>The tag's TCI without the "present" bit (pcp &lt;&lt; 13 | vid).</summary>
    public ushort Tci => (ushort)((Pcp << 13) | (Vid & 0xfff));

    /// <inheritdoc/>
    public override string ToString() => $"vid={Vid},pcp={Pcp}";
}
