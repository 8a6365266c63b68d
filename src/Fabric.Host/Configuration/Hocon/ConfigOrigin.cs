namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// Where a HOCON value was defined: the origin name (a file path, or <c>&lt;string&gt;</c> for text
/// parsed from a string), and the 1-based line and column (UTF-16 code units, a tab counts as one).
/// Rendered as <c>file:line:column</c>, the prefix of every <see cref="ConfigException"/> message.
/// </summary>
/// <param name="File">Origin name: the file path as it was given (includes are combined with the including file's directory), or <c>&lt;string&gt;</c>.</param>
/// <param name="Line">1-based line number; 0 when the origin is unknown.</param>
/// <param name="Column">1-based column number; 0 when the origin is unknown.</param>
public readonly record struct ConfigOrigin(string File, int Line, int Column)
{
    /// <summary>The unknown origin (empty file name, line 0): used for values that were not read from text.</summary>
    public static ConfigOrigin None => new(string.Empty, 0, 0);

    /// <summary>True when this origin points at real text (a non-empty file name and a line of 1 or more).</summary>
    public bool IsKnown => !string.IsNullOrEmpty(File) && Line > 0;

    /// <summary>Renders the origin as <c>file:line:column</c>, or an empty string when it is unknown.</summary>
    /// <returns>The position text used as the prefix of error messages.</returns>
    public override string ToString() => IsKnown ? $"{File}:{Line}:{Column}" : string.Empty;
}
