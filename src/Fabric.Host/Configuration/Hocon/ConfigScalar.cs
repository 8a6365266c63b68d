namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A simple HOCON value: a string, number or boolean, kept as the text it was written as
/// (escapes decoded). Typed access (<see cref="ConfigDocument.GetInt"/>, <see cref="ConfigDocument.GetTimeSpan"/>, …)
/// converts the text on demand, as Akka's HOCON does, so <c>"10"</c> and <c>10</c> both read as an int.
/// </summary>
public sealed class ConfigScalar : ConfigValue
{
    /// <summary>Creates a scalar.</summary>
    /// <param name="text">The decoded text of the value.</param>
    /// <param name="kind">Whether it was written as a string, a number or a boolean.</param>
    /// <param name="origin">Where it was defined.</param>
    internal ConfigScalar(string text, ConfigScalarKind kind, ConfigOrigin origin)
        : base(origin)
    {
        Text = text;
        Kind = kind;
    }

    /// <summary>The decoded text (for a number, its literal text, e.g. <c>1.50</c>).</summary>
    public string Text { get; }

    /// <summary>Whether the value was written as a string, a number or a boolean.</summary>
    public ConfigScalarKind Kind { get; }
}
