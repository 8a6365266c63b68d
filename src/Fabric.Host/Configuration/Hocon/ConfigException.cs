namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// Thrown for malformed HOCON (parse errors), unresolvable or cyclic substitutions, missing required
/// includes, missing paths without a default, and values of the wrong type. When the position is
/// known the message starts with <c>file:line:column: </c> (1-based; <c>&lt;string&gt;</c> for text
/// parsed from a string), e.g. <c>fabric.conf:12:17: expected '=' ':' or '{' after key 'mac-table-size', got 'x'</c>,
/// and <see cref="File"/>, <see cref="Line"/> and <see cref="Column"/> carry it.
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
        : base(message)
    {
        Detail = message;
    }

    /// <summary>Creates an exception with no position that wraps another.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying failure (e.g. an I/O error reading a file).</param>
    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    /// <summary>Creates an exception at a position; the message becomes <c>file:line:column: detail</c>.</summary>
    /// <param name="file">Origin name (file path or <c>&lt;string&gt;</c>).</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    /// <param name="detail">What was expected or what is wrong.</param>
    public ConfigException(string file, int line, int column, string detail)
        : base($"{file}:{line}:{column}: {detail}")
    {
        File = file;
        Line = line;
        Column = column;
        Detail = detail;
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
}
