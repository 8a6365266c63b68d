namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// Entry points that parse HOCON text into a resolved <see cref="ConfigDocument"/> (akka-notes §7; the
/// counterpart of Akka's <c>ConfigurationFactory</c>). Substitutions are resolved per parsed document, after the
/// whole document and its includes are parsed (forward references allowed, last definition wins, then
/// environment variables); they are not re-resolved across <see cref="ConfigDocument.WithFallback"/>.
/// </summary>
public static class ConfigReader
{
    private const string StringOrigin = "<string>";

    /// <summary>An empty configuration: every path is missing, so every getter returns its default.</summary>
    public static ConfigDocument Empty => ConfigDocument.EmptyDocument;

    /// <summary>Parses HOCON text. Relative <c>include</c> paths are resolved against the current directory.</summary>
    /// <param name="hocon">The document text.</param>
    /// <param name="originName">Name used in origins and error positions; <c>&lt;string&gt;</c> when null.</param>
    /// <returns>The resolved configuration.</returns>
    /// <exception cref="ConfigException">The text is malformed, an include is missing or a substitution cannot be resolved; the message starts with <c>origin:line:column: </c>.</exception>
    public static ConfigDocument ParseString(string hocon, string? originName = null)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        return Parse(hocon, originName ?? StringOrigin, Directory.GetCurrentDirectory(), string.Empty, null);
    }

    /// <summary>Parses a HOCON file; relative <c>include</c> paths are resolved against the file's directory.</summary>
    /// <param name="path">The file path; it is used, as given, as the origin name in error positions.</param>
    /// <returns>The resolved configuration.</returns>
    /// <exception cref="ConfigException">The file is missing or unreadable, malformed, or a substitution cannot be resolved.</exception>
    public static ConfigDocument ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read configuration file '{path}': {e.Message}", e);
        }

        return Parse(text, path, Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory(), Path.GetDirectoryName(path) ?? string.Empty, fullPath);
    }

    private static ConfigDocument Parse(string text, string originName, string baseDirectory, string displayDirectory, string? fullPath)
    {
        var root = new ConfigObject(new ConfigOrigin(originName, 1, 1));
        var context = new HoconParseContext(root);
        if (fullPath is not null)
        {
            context.IncludeChain.Add(fullPath);
        }

        new HoconParser(text, originName, baseDirectory, displayDirectory, context, Array.Empty<string>()).ParseDocument(root, Array.Empty<string>());
        var resolved = new HoconResolver(root, Environment.GetEnvironmentVariable).ResolveRoot();
        return new ConfigDocument(resolved, Array.Empty<string>());
    }
}
