using System.Text;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Renders resolved values as HOCON text: objects as indented <c>key = value</c> blocks in
/// braces, arrays in brackets, strings JSON-quoted, numbers and booleans bare. The output parses back
/// to an equal tree.
/// </summary>
internal static class HoconRenderer
{
    /// <summary>Renders a value.</summary>
    public static string Render(ConfigValue value)
    {
        var builder = new StringBuilder();
        Append(builder, value, 0);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, ConfigValue value, int indent)
    {
        switch (value)
        {
            case ConfigObject o:
                if (o.Count == 0)
                {
                    builder.Append("{}");
                    return;
                }

                builder.Append("{\n");
                foreach (var (key, child) in o)
                {
                    builder.Append(' ', (indent + 1) * 2);
                    HoconPath.AppendSegment(builder, key);
                    builder.Append(" = ");
                    Append(builder, child, indent + 1);
                    builder.Append('\n');
                }

                builder.Append(' ', indent * 2).Append('}');
                return;
            case ConfigArray a:
                builder.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    Append(builder, a.Items[i], indent);
                }

                builder.Append(']');
                return;
            case ConfigScalar { Kind: ConfigScalarKind.String } s:
                HoconPath.AppendQuoted(builder, s.Text);
                return;
            case ConfigScalar s:
                builder.Append(s.Text);
                return;
            case ConfigNull:
                builder.Append("null");
                return;
            case ConfigSubstitution s:
                builder.Append(s.Display);
                return;
            default:
                builder.Append("<unresolved>");
                return;
        }
    }
}
