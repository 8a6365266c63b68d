namespace Fabric.Host.Configuration.Hocon;

/// <summary>What a <see cref="ConfigScalar"/> was written as, per the HOCON spec's value types.</summary>
public enum ConfigScalarKind
{
    /// <summary>A quoted, triple-quoted or unquoted string, or a concatenation of several simple values (<c>a = foo bar</c>).</summary>
    String,

    /// <summary>A lone unquoted JSON number such as <c>42</c>, <c>-1.5</c> or <c>1e3</c>.</summary>
    Number,

    /// <summary>A lone unquoted <c>true</c> or <c>false</c> (<c>yes</c>/<c>on</c> are strings that <see cref="ConfigDocument.GetBoolean"/> also accepts).</summary>
    Boolean,
}
