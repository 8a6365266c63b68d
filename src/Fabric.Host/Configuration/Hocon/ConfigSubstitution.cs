namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. An unresolved <c>${path}</c> / <c>${?path}</c> in a raw (parsed, not yet resolved)
/// tree. Resolution looks up each of <see cref="Paths"/> from the document root (or from
/// <see cref="Scope"/> when set: a self-reference bound to the key's previous value), then the
/// environment variable <see cref="EnvironmentName"/>; a missing optional one becomes undefined.
/// </summary>
internal sealed class ConfigSubstitution : ConfigValue
{
    internal ConfigSubstitution(
        ConfigOrigin origin,
        IReadOnlyList<string[]> paths,
        ConfigValue? scope,
        bool optional,
        string environmentName,
        bool skipConfig,
        string display)
        : base(origin)
    {
        Paths = paths;
        Scope = scope;
        Optional = optional;
        EnvironmentName = environmentName;
        SkipConfig = skipConfig;
        Display = display;
    }

    /// <summary>Candidate paths, tried in order (an include's relocated path first, then the path as written).</summary>
    public IReadOnlyList<string[]> Paths { get; }

    /// <summary>When set, <see cref="Paths"/>[0] is looked up inside this value instead of the root.</summary>
    public ConfigValue? Scope { get; }

    /// <summary>True for <c>${?path}</c>.</summary>
    public bool Optional { get; }

    /// <summary>The environment variable consulted when the config has no value.</summary>
    public string EnvironmentName { get; }

    /// <summary>True for a self-reference with no previous value: only the environment is consulted.</summary>
    public bool SkipConfig { get; }

    /// <summary>The substitution as written, e.g. <c>${?a.b}</c>, for error messages.</summary>
    public string Display { get; }

    /// <summary>Display path of the setting the substitution stands in (e.g. <c>fabric.state-dir</c>), for error messages; empty when unknown.</summary>
    public string Where { get; init; } = string.Empty;
}
