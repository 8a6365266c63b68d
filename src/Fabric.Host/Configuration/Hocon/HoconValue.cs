namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A node of a parsed HOCON document (actor-semantics §9): an object (<see cref="HoconObject"/>),
/// an array (<see cref="HoconArray"/>), a string, number or boolean (<see cref="HoconScalar"/>) or
/// <c>null</c> (<see cref="HoconNull"/>). Every node remembers where it was defined
/// (<see cref="Origin"/>) so that type and resolution errors can point at the text.
/// Values handed out by <see cref="Config"/> are fully resolved (no substitutions remain) and immutable.
/// </summary>
public abstract class HoconValue
{
    /// <summary>Creates a value defined at <paramref name="origin"/>; only this assembly defines value kinds.</summary>
    /// <param name="origin">Where the value was defined.</param>
    private protected HoconValue(HoconOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>Where this value was defined (file, 1-based line and column).</summary>
    public HoconOrigin Origin { get; }

    /// <summary>Renders the value as HOCON text (objects with braces, strings quoted with JSON escapes).</summary>
    /// <returns>HOCON text that parses back to an equal value.</returns>
    public override string ToString() => HoconRenderer.Render(this);
}
