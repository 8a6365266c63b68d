namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Two definitions of one key where at least one is unresolved: at resolution the newer
/// value wins unless both resolve to objects (then they merge) or the newer is an undefined optional
/// substitution (then the older stays).
/// </summary>
internal sealed class ConfigDelayedMerge : ConfigValue
{
    internal ConfigDelayedMerge(ConfigValue older, ConfigValue newer)
        : base(newer.Origin)
    {
        Older = older;
        Newer = newer;
    }

    /// <summary>The earlier definition.</summary>
    public ConfigValue Older { get; }

    /// <summary>The later definition.</summary>
    public ConfigValue Newer { get; }
}
