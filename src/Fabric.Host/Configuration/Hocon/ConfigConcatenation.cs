namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. A value concatenation that contains substitutions or objects/arrays, kept until
/// resolution: strings join (keeping the whitespace written between them), arrays concatenate,
/// objects merge (later wins); mixing kinds is an error. Undefined optional parts are dropped
/// together with the whitespace before them.
/// </summary>
internal sealed class ConfigConcatenation : ConfigValue
{
    internal ConfigConcatenation(ConfigOrigin origin, IReadOnlyList<ConfigValue> parts, IReadOnlyList<string> separators)
        : base(origin)
    {
        Parts = parts;
        Separators = separators;
    }

    /// <summary>The concatenated values in order.</summary>
    public IReadOnlyList<ConfigValue> Parts { get; }

    /// <summary>The whitespace written before each part (empty for the first).</summary>
    public IReadOnlyList<string> Separators { get; }

    /// <summary>Display path of the setting the concatenation stands in (e.g. <c>fabric.state-dir</c>), for error messages; empty when unknown.</summary>
    public string Where { get; init; } = string.Empty;
}
