namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. State shared by the parser of a document and the parsers of the files it includes:
/// the root object being built, the objects currently being parsed (so a self-referential
/// substitution can find a key's previous value) and the include chain (to detect include cycles).
/// </summary>
internal sealed class HoconParseContext
{
    public HoconParseContext(ConfigObject root)
    {
        Root = root;
    }

    /// <summary>The document root; top-level fields are merged into it as they are parsed.</summary>
    public ConfigObject Root { get; }

    /// <summary>Objects being parsed, outermost first, with their absolute paths.</summary>
    public List<(ConfigObject Target, string[] Path)> Pending { get; } = new();

    /// <summary>Full paths of the files currently being parsed (the include chain).</summary>
    public HashSet<string> IncludeChain { get; } = new(StringComparer.Ordinal);
}
