namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// Thrown for malformed HOCON (parse errors), unresolvable or cyclic substitutions, missing required
/// includes, missing paths without a default, and values of the wrong type. The message is always one
/// line (line breaks and other control characters in it are written as escapes such as <c>\n</c>):
/// <c>file:line:column: path: reason</c> when the position is known (1-based; <c>&lt;string&gt;</c> for
/// text parsed from a string), e.g. <c>fabric.conf:12:17: fabric.datapath.batch-size: expected '=', ':' or '{' after the key, got 'x'</c>,
/// with <see cref="File"/>, <see cref="Line"/> and <see cref="Column"/> carrying it; <c>path: reason</c> otherwise.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates an exception with no position.</summary>
    public ConfigException()
        : base("invalid configuration")
    {
    }

    /// <summary>Creates an exception with no position.</summary>
    /// <param name="message">What is wrong.</param>
    public ConfigException(string message)
        : base(OneLine(message))
    {
        Detail = OneLine(message);
    }

    /// <summary>Creates an exception with no position that wraps another.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying failure (e.g. an I/O error reading a file).</param>
    public ConfigException(string message, Exception innerException)
        : base(OneLine(message), innerException)
    {
        Detail = OneLine(message);
    }

    /// <summary>Creates an exception at a position; the message becomes <c>file:line:column: detail</c>.</summary>
    /// <param name="file">Origin name (file path or <c>&lt;string&gt;</c>).</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    /// <param name="detail">What was expected or what is wrong.</param>
    public ConfigException(string file, int line, int column, string detail)
        : base(OneLine($"{file}:{line}:{column}: {detail}"))
    {
        File = file;
        Line = line;
        Column = column;
        Detail = OneLine(detail);
    }

    /// <summary>The origin name of the offending text, or null when the error has no position.</summary>
    public string? File { get; }

    /// <summary>1-based line of the offending text, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending text, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The message without the <c>file:line:column: </c> prefix.</summary>
    public string Detail { get; } = "invalid configuration";

    /// <summary>Creates an exception at <paramref name="origin"/>, or without position when it is unknown.</summary>
    /// <param name="origin">Where the problem is.</param>
    /// <param name="detail">What is wrong.</param>
    /// <returns>The exception to throw.</returns>
    internal static ConfigException At(ConfigOrigin origin, string detail) =>
        origin.IsKnown ? new ConfigException(origin.File, origin.Line, origin.Column, detail) : new ConfigException(detail);

    /// <summary>Creates an exception at <paramref name="origin"/> about the setting at <paramref name="where"/>: <c>file:line:column: where: detail</c>.</summary>
    /// <param name="origin">Where the problem is.</param>
    /// <param name="where">The path of the setting being defined (e.g. <c>fabric.bridges[0].ports</c>); empty when none.</param>
    /// <param name="detail">What is wrong.</param>
    /// <returns>The exception to throw.</returns>
    internal static ConfigException At(ConfigOrigin origin, string where, string detail) =>
        At(origin, where.Length == 0 ? detail : $"{where}: {detail}");

    /// <summary>The text with every line break and other control character (but tab) written as an escape, so it stays one line.</summary>
    private static string OneLine(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\n')
            {
                builder.Append("\\n");
            }
            else if (c == '\r')
            {
                builder.Append("\\r");
            }
            else if (NeedsEscape(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) => (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029';
}
