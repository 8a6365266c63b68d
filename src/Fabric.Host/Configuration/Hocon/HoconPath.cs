using System.Text;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Renders path segments as HOCON path text: segments joined with '.', each quoted
/// (JSON escapes) when it is empty or holds a '.', whitespace, <c>//</c> or a character that may not
/// appear unquoted, so that the text parses back to the same segments.
/// </summary>
internal static class HoconPath
{
    private const string ForbiddenUnquoted = "$\"{}[]:=,+#`^?!@*&\\.";

    /// <summary>Renders a path.</summary>
    public static string Render(IReadOnlyList<string> segments)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('.');
            }

            AppendSegment(builder, segments[i]);
        }

        return builder.ToString();
    }

    /// <summary>Renders one key, quoting it when needed.</summary>
    public static void AppendSegment(StringBuilder builder, string segment)
    {
        if (NeedsQuotes(segment))
        {
            AppendQuoted(builder, segment);
        }
        else
        {
            builder.Append(segment);
        }
    }

    /// <summary>Appends a JSON-quoted string.</summary>
    public static void AppendQuoted(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c == '\uFEFF' || char.IsWhiteSpace(c) && c != ' ')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    private static bool NeedsQuotes(string segment)
    {
        if (segment.Length == 0 || segment == "include" || segment.Contains("//", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var c in segment)
        {
            if (char.IsWhiteSpace(c) || c == '\uFEFF' || char.IsControl(c) || char.IsSurrogate(c) || ForbiddenUnquoted.IndexOf(c) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
