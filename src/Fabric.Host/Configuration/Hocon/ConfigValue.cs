namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A node of a parsed HOCON document (akka-notes §7): an object (<see cref="ConfigObject"/>),
/// an array (<see cref="ConfigArray"/>), a string, number or boolean (<see cref="ConfigScalar"/>) or
/// <c>null</c> (<see cref="ConfigNull"/>). Every node remembers where it was defined
/// (<see cref="Origin"/>) so that type and resolution errors can point at the text.
/// Values handed out by <see cref="ConfigDocument"/> are fully resolved (no substitutions remain) and immutable.
/// </summary>
public abstract class ConfigValue
{
    /// <summary>Creates a value defined at <paramref name="origin"/>; only this assembly defines value kinds.</summary>
    /// <param name="origin">Where the value was defined.</param>
    private protected ConfigValue(ConfigOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>Where this value was defined (file, 1-based line and column).</summary>
    public ConfigOrigin Origin { get; }

    /// <summary>Renders the value as HOCON text (objects with braces, strings quoted with JSON escapes).</summary>
    /// <returns>HOCON text that parses back to an equal value.</returns>
    public override string ToString() => HoconRenderer.Render(this);
}
