namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A HOCON array (<c>[a, b, c]</c>, elements separated by commas or newlines). Arrays written next to
/// each other concatenate (<c>[1] [2]</c> is <c>[1, 2]</c>) and <c>key += v</c> appends one element.
/// A repeated key holding an array replaces the earlier array (arrays never merge).
/// </summary>
public sealed class ConfigArray : ConfigValue
{
    /// <summary>Creates an array.</summary>
    /// <param name="origin">Where the opening bracket was.</param>
    /// <param name="items">The elements, in order.</param>
    internal ConfigArray(ConfigOrigin origin, IReadOnlyList<ConfigValue> items)
        : base(origin)
    {
        Items = items;
    }

    /// <summary>The elements, in the order they were written.</summary>
    public IReadOnlyList<ConfigValue> Items { get; }

    /// <summary>The number of elements.</summary>
    public int Count => Items.Count;
}
