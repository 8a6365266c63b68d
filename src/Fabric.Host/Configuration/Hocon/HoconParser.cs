using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Recursive-descent parser for one HOCON document (a string or a file) following the
/// subset of the HOCON spec that Akka configuration uses (akka-notes §7): optional root braces,
/// <c>=</c>/<c>:</c> separators (optional before <c>{</c>), newline or comma between fields,
/// <c>#</c> and <c>//</c> comments, dotted and quoted keys, quoted / unquoted / triple-quoted strings,
/// value concatenation, arrays, objects, <c>+=</c>, <c>${path}</c> / <c>${?path}</c> and includes.
/// It builds a raw tree (substitutions unresolved) that <see cref="HoconResolver"/> resolves.
/// Every error is a <see cref="ConfigException"/> positioned at the offending character.
/// </summary>
internal sealed partial class HoconParser
{
    private const string ForbiddenUnquoted = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _originName;
    private readonly string _baseDirectory;
    private readonly string _displayDirectory;
    private readonly HoconParseContext _context;
    private readonly string[] _includePrefix;
    private readonly List<string> _where;
    private int _position;
    private int _line = 1;
    private int _column = 1;

    /// <summary>Creates a parser.</summary>
    /// <param name="text">The document text.</param>
    /// <param name="originName">Name used in origins and error positions.</param>
    /// <param name="baseDirectory">Absolute directory that relative includes are resolved against.</param>
    /// <param name="displayDirectory">The same directory as the user wrote it, used to name included files.</param>
    /// <param name="context">Shared parse state.</param>
    /// <param name="includePrefix">Path at which this document is included (empty for the main document).</param>
    /// <param name="where">Display path of the setting being defined where this document starts (empty for the main document), for error messages.</param>
    public HoconParser(string text, string originName, string baseDirectory, string displayDirectory, HoconParseContext context, string[] includePrefix, string where = "")
    {
        _where = [where];
        _text = text;
        _originName = originName;
        _baseDirectory = baseDirectory;
        _displayDirectory = displayDirectory;
        _context = context;
        _includePrefix = includePrefix;
    }

    private bool AtEnd => _position >= _text.Length;

    /// <summary>Display path of the setting being parsed (<c>fabric.bridges[0].ports[1].tag</c>), or empty at the top level.</summary>
    private string Where => _where[^1];

    /// <summary>Parses a configuration path such as <c>a.b."c.d"</c> into its segments.</summary>
    /// <param name="path">The path text.</param>
    /// <returns>The segments.</returns>
    /// <exception cref="ConfigException">The path is empty or malformed.</exception>
    public static string[] ParsePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parser = new HoconParser(path, "<path>", string.Empty, string.Empty, new HoconParseContext(new ConfigObject(ConfigOrigin.None)), Array.Empty<string>());
        try
        {
            parser.SkipInlineWhitespace();
            var segments = parser.ParseKeyPath("a path");
            parser.SkipInlineWhitespace();
            if (!parser.AtEnd)
            {
                throw parser.Error($"unexpected {parser.DescribeCurrent()} in path");
            }

            return segments;
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"invalid configuration path '{path}': {e.Detail} (column {e.Column})");
        }
    }

    /// <summary>Parses the whole document, merging its fields into <paramref name="target"/>.</summary>
    /// <param name="target">The object the document's root fields are merged into.</param>
    /// <param name="prefix">Absolute path of <paramref name="target"/>, or null inside an array element.</param>
    public void ParseDocument(ConfigObject target, string[]? prefix)
    {
        if (!AtEnd && _text[0] == '\uFEFF')
        {
            _position = 1;
        }

        SkipWhitespaceAndComments(newlines: true);
        if (!AtEnd && Peek() == '{')
        {
            var open = Origin();
            Advance();
            ParseFields(target, prefix, open);
            SkipWhitespaceAndComments(newlines: true);
            if (!AtEnd)
            {
                throw Error($"unexpected {DescribeCurrent()} after the closing '}}' of the root object");
            }
        }
        else
        {
            ParseFields(target, prefix, null);
        }
    }

    private void ParseFields(ConfigObject target, string[]? prefix, ConfigOrigin? open)
    {
        while (true)
        {
            SkipWhitespaceAndComments(newlines: true);
            if (AtEnd)
            {
                if (open is { } o)
                {
                    throw Error($"expected '}}' to close the object opened at {o.Line}:{o.Column}, got end of input");
                }

                return;
            }

            if (Peek() == '}')
            {
                if (open is null)
                {
                    throw Error("unexpected '}' with no matching '{'");
                }

                Advance();
                return;
            }

            string? field = null;
            if (IsIncludeStart())
            {
                ParseInclude(target, prefix);
            }
            else
            {
                field = ParseField(target, prefix);
            }

            SkipWhitespaceAndComments(newlines: false);
            if (AtEnd || Peek() == '}' || Peek() == '\n')
            {
                continue;
            }

            if (Peek() == ',')
            {
                Advance();
                continue;
            }

            throw field is null
                ? Error($"expected ',' or a newline after the include, got {DescribeCurrent()}")
                : ConfigException.At(Origin(), field, $"expected ',' or a newline after the value, got {DescribeCurrent()}");
        }
    }

    /// <summary>Parses one <c>key = value</c> field into <paramref name="target"/>.</summary>
    /// <returns>The field's display path (e.g. <c>fabric.datapath.batch-size</c>).</returns>
    private string ParseField(ConfigObject target, string[]? prefix)
    {
        var keyOrigin = Origin();
        var key = ParseKeyPath("a key");
        var keyText = HoconPath.Render(key);
        var where = Where.Length == 0 ? keyText : Where + "." + keyText;
        _where.Add(where);
        try
        {
            ParseFieldValue(target, prefix, keyOrigin, key, keyText);
        }
        finally
        {
            _where.RemoveAt(_where.Count - 1);
        }

        return where;
    }

    private void ParseFieldValue(ConfigObject target, string[]? prefix, ConfigOrigin keyOrigin, string[] key, string keyText)
    {
        SkipInlineWhitespace();
        var append = false;
        if (!AtEnd && (Peek() == '=' || Peek() == ':'))
        {
            Advance();
            SkipWhitespaceAndComments(newlines: false);
            SkipNewlinesBeforeOpeningBracket("{[");
        }
        else if (!AtEnd && Peek() == '+' && Peek(1) == '=')
        {
            Advance();
            Advance();
            append = true;
            SkipWhitespaceAndComments(newlines: false);
            SkipNewlinesBeforeOpeningBracket("{[");
        }
        else if (!SkipNewlinesBeforeOpeningBracket("{"))
        {
            throw Error($"expected '=', ':' or '{{' after the key, got {DescribeCurrent()}");
        }
        var fieldPath = prefix is null ? null : Concat(prefix, key);
        var valueOrigin = Origin();
        var value = ParseValue(fieldPath, fieldPath)
            ?? throw Error($"expected a value, got {DescribeCurrent()}");

        if (append)
        {
            var self = fieldPath is null
                ? new ConfigSubstitution(valueOrigin, new[] { key }, null, true, string.Join('.', key), false, "${?" + keyText + "}") { Where = Where }
                : BindSelfReference(valueOrigin, fieldPath, optional: true, string.Join('.', key), "${?" + keyText + "}");
            value = new ConfigConcatenation(valueOrigin, new ConfigValue[] { self, new ConfigArray(valueOrigin, new[] { value }) }, new[] { string.Empty, string.Empty }) { Where = Where };
        }

        for (var i = key.Length - 1; i > 0; i--)
        {
            var wrapper = new ConfigObject(keyOrigin);
            wrapper.Set(key[i], value);
            value = wrapper;
        }

        HoconMerge.MergeInto(target, key[0], value);
    }

    /// <summary>Parses a value (possibly a concatenation) up to a newline, comma, closing bracket or comment.</summary>
    /// <param name="selfPath">Absolute path of the field being defined, for self-referential substitutions.</param>
    /// <param name="objectPath">Absolute path that object values will have, or null inside arrays.</param>
    /// <returns>The value, or null when no value starts here.</returns>
    private ConfigValue? ParseValue(string[]? selfPath, string[]? objectPath)
    {
        var parts = new List<ConfigValue>();
        var separators = new List<string>();
        var unquotedSingle = false;
        var origin = Origin();
        while (true)
        {
            var whitespaceStart = _position;
            SkipInlineWhitespace();
            var whitespace = _text[whitespaceStart.._position];
            if (AtEnd)
            {
                break;
            }

            var c = Peek();
            if (c is '\n' or ',' or '}' or ']' or '#' || IsDoubleSlash())
            {
                break;
            }

            if (parts.Count == 0)
            {
                origin = Origin();
            }

            ConfigValue part;
            unquotedSingle = false;
            var partOrigin = Origin();
            if (c == '"')
            {
                part = IsTripleQuote() ? ParseTripleQuoted() : new ConfigScalar(ParseQuotedText(), ConfigScalarKind.String, partOrigin);
            }
            else if (c == '{')
            {
                part = ParseObjectValue(objectPath);
            }
            else if (c == '[')
            {
                part = ParseArray(selfPath);
            }
            else if (c == '$' && Peek(1) == '{')
            {
                part = ParseSubstitution(selfPath);
            }
            else if (IsUnquotedChar(c))
            {
                part = new ConfigScalar(ReadUnquoted(stopAtDot: false), ConfigScalarKind.String, partOrigin);
                unquotedSingle = true;
            }
            else
            {
                var hint = c is ':' or '=' ? " (quote strings that contain it)" : string.Empty;
                throw Error($"unexpected {DescribeCurrent()} in value{hint}");
            }

            separators.Add(parts.Count == 0 ? string.Empty : whitespace);
            parts.Add(part);
        }

        if (parts.Count == 0)
        {
            return null;
        }

        if (parts.Count == 1)
        {
            return unquotedSingle ? Classify((ConfigScalar)parts[0]) : parts[0];
        }

        var allSimple = true;
        foreach (var part in parts)
        {
            if (part is not ConfigScalar)
            {
                allSimple = false;
                break;
            }
        }

        if (allSimple)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < parts.Count; i++)
            {
                builder.Append(separators[i]).Append(((ConfigScalar)parts[i]).Text);
            }

            return new ConfigScalar(builder.ToString(), ConfigScalarKind.String, origin);
        }

        return new ConfigConcatenation(origin, parts, separators) { Where = Where };
    }

    private static ConfigValue Classify(ConfigScalar unquoted)
    {
        var text = unquoted.Text;
        return text switch
        {
            "true" or "false" => new ConfigScalar(text, ConfigScalarKind.Boolean, unquoted.Origin),
            "null" => new ConfigNull(unquoted.Origin),
            _ when IsNumber(text) => new ConfigScalar(text, ConfigScalarKind.Number, unquoted.Origin),
            _ => unquoted,
        };
    }

    /// <summary>Whether the text is a JSON number (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>).</summary>
    internal static bool IsNumber(string text) => JsonNumber().IsMatch(text);

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    private ConfigObject ParseObjectValue(string[]? objectPath)
    {
        var open = Origin();
        Advance();
        var result = new ConfigObject(open);
        if (objectPath is not null)
        {
            _context.Pending.Add((result, objectPath));
        }

        try
        {
            ParseFields(result, objectPath, open);
        }
        finally
        {
            if (objectPath is not null)
            {
                _context.Pending.RemoveAt(_context.Pending.Count - 1);
            }
        }

        return result;
    }

    private ConfigArray ParseArray(string[]? selfPath)
    {
        var open = Origin();
        Advance();
        var items = new List<ConfigValue>();
        while (true)
        {
            SkipWhitespaceAndComments(newlines: true);
            if (AtEnd)
            {
                throw Error($"expected ']' to close the array opened at {open.Line}:{open.Column}, got end of input");
            }

            if (Peek() == ']')
            {
                Advance();
                return new ConfigArray(open, items);
            }

            _where.Add($"{Where}[{items.Count}]");
            ConfigValue? item;
            try
            {
                item = ParseValue(selfPath, null);
            }
            finally
            {
                _where.RemoveAt(_where.Count - 1);
            }

            if (item is null)
            {
                throw Error($"expected a value or ']' in the array opened at {open.Line}:{open.Column}, got {DescribeCurrent()}");
            }

            items.Add(item);
            SkipWhitespaceAndComments(newlines: false);
            if (!AtEnd && Peek() == ',')
            {
                Advance();
            }
            else if (!AtEnd && Peek() != '\n' && Peek() != ']')
            {
                throw Error($"expected ',' or ']' in the array opened at {open.Line}:{open.Column}, got {DescribeCurrent()}");
            }
        }
    }

    private ConfigSubstitution ParseSubstitution(string[]? selfPath)
    {
        var origin = Origin();
        Advance();
        Advance();
        var optional = false;
        if (!AtEnd && Peek() == '?')
        {
            Advance();
            optional = true;
        }

        SkipInlineWhitespace();
        var path = ParseKeyPath("a path in the substitution");
        SkipInlineWhitespace();
        if (AtEnd || Peek() != '}')
        {
            throw Error($"expected '}}' to close the substitution opened at {origin.Line}:{origin.Column}, got {DescribeCurrent()}");
        }

        Advance();
        var written = HoconPath.Render(path);
        var display = (optional ? "${?" : "${") + written + "}";
        var environmentName = string.Join('.', path);
        var full = Concat(_includePrefix, path);
        if (selfPath is not null && StartsWith(selfPath, full))
        {
            return BindSelfReference(origin, full, optional, environmentName, display);
        }

        var paths = _includePrefix.Length == 0 ? new[] { path } : new[] { full, path };
        return new ConfigSubstitution(origin, paths, null, optional, environmentName, false, display) { Where = Where };
    }

    /// <summary>
    /// A substitution that refers to the field being defined (or one of its parents) means the previous
    /// value (HOCON spec "self-referential substitutions"): bind it to that value now, or, when there is
    /// none, let it consult only the environment.
    /// </summary>
    private ConfigSubstitution BindSelfReference(ConfigOrigin origin, string[] path, bool optional, string environmentName, string display)
    {
        var previous = LookupPrevious(path);
        return previous is null
            ? new ConfigSubstitution(origin, new[] { path }, null, optional, environmentName, true, display) { Where = Where }
            : new ConfigSubstitution(origin, new[] { Array.Empty<string>() }, previous, optional, environmentName, false, display) { Where = Where };
    }

    private ConfigValue? LookupPrevious(string[] path)
    {
        var result = WalkRaw(_context.Root, path, 0);
        foreach (var (target, targetPath) in _context.Pending)
        {
            if (!StartsWith(path, targetPath))
            {
                continue;
            }

            var candidate = WalkRaw(target, path, targetPath.Length);
            if (candidate is not null)
            {
                result = result is null ? candidate : HoconMerge.Combine(result, candidate);
            }
        }

        return result is ConfigObject o ? o.Clone(o.Origin) : result;
    }

    private static ConfigValue? WalkRaw(ConfigValue start, string[] path, int from)
    {
        var current = start;
        for (var i = from; i < path.Length; i++)
        {
            if (current is ConfigObject o)
            {
                if (!o.TryGetValue(path[i], out var next))
                {
                    return null;
                }

                current = next;
            }
            else if (HoconMerge.IsUnresolved(current))
            {
                var rest = path[i..];
                return new ConfigSubstitution(current.Origin, new[] { rest }, current, true, string.Empty, false, "${?" + HoconPath.Render(rest) + "}");
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private bool IsIncludeStart()
    {
        if (string.CompareOrdinal(_text, _position, "include", 0, 7) != 0)
        {
            return false;
        }

        var i = _position + 7;
        if (i >= _text.Length || _text[i] == '\n' || !IsWhitespace(_text[i]))
        {
            return false;
        }

        while (i < _text.Length && _text[i] != '\n' && IsWhitespace(_text[i]))
        {
            i++;
        }

        return i < _text.Length && (_text[i] == '"' || MatchesAt(i, "file(") || MatchesAt(i, "required(") || MatchesAt(i, "url(") || MatchesAt(i, "classpath("));
    }

    private void ParseInclude(ConfigObject target, string[]? prefix)
    {
        var origin = Origin();
        for (var i = 0; i < 7; i++)
        {
            Advance();
        }

        SkipInlineWhitespace();
        var required = false;
        if (MatchesAt(_position, "required("))
        {
            AdvanceBy(9);
            SkipInlineWhitespace();
            required = true;
        }

        string name;
        if (!AtEnd && Peek() == '"')
        {
            name = ParseQuotedText();
        }
        else if (MatchesAt(_position, "file("))
        {
            AdvanceBy(5);
            SkipInlineWhitespace();
            if (AtEnd || Peek() != '"')
            {
                throw Error($"expected a quoted file name inside file(, got {DescribeCurrent()}");
            }

            name = ParseQuotedText();
            ExpectClosingParenthesis("file(");
        }
        else if (MatchesAt(_position, "url(") || MatchesAt(_position, "classpath("))
        {
            throw Error("url(...) and classpath(...) includes are not supported; use file(...)");
        }
        else
        {
            throw Error($"expected a quoted file name, file(...) or required(...) after 'include', got {DescribeCurrent()}");
        }

        if (required)
        {
            ExpectClosingParenthesis("required(");
        }

        Include(origin, name, required, target, prefix);
    }

    private void ExpectClosingParenthesis(string opener)
    {
        SkipInlineWhitespace();
        if (AtEnd || Peek() != ')')
        {
            throw Error($"expected ')' to close {opener}, got {DescribeCurrent()}");
        }

        Advance();
    }

    private void Include(ConfigOrigin origin, string name, bool required, ConfigObject target, string[]? prefix)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw ConfigException.At(origin, Where, "an include file name must be non-empty and contain no NUL character");
        }

        var fullName = Path.IsPathRooted(name) ? name : Path.Combine(_baseDirectory, name);
        var displayName = Path.IsPathRooted(name) ? name : Path.Combine(_displayDirectory, name);
        if (!File.Exists(fullName) && !Path.HasExtension(fullName) && File.Exists(fullName + ".conf"))
        {
            fullName += ".conf";
            displayName += ".conf";
        }

        if (!File.Exists(fullName))
        {
            if (required)
            {
                throw ConfigException.At(origin, Where, $"required include file '{name}' not found (looked for '{Path.GetFullPath(fullName)}')");
            }

            return;
        }

        var canonical = Path.GetFullPath(fullName);
        if (!_context.IncludeChain.Add(canonical))
        {
            throw ConfigException.At(origin, Where, $"include cycle: '{name}' is already being included");
        }

        try
        {
            string text;
            try
            {
                text = File.ReadAllText(canonical);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw ConfigException.At(origin, Where, $"cannot read include file '{name}': {e.Message}");
            }

            var child = new HoconParser(
                text,
                displayName,
                Path.GetDirectoryName(canonical) ?? _baseDirectory,
                Path.GetDirectoryName(displayName) ?? string.Empty,
                _context,
                prefix ?? Array.Empty<string>(),
                Where);
            child.ParseDocument(target, prefix);
        }
        finally
        {
            _context.IncludeChain.Remove(canonical);
        }
    }

    /// <summary>Parses a key or path: segments separated by '.', each unquoted text and/or quoted strings.</summary>
    private string[] ParseKeyPath(string what)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var hasCurrent = false;
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '"')
            {
                if (IsTripleQuote())
                {
                    throw Error("triple-quoted strings cannot be used in keys or paths");
                }

                current.Append(ParseQuotedText());
                hasCurrent = true;
            }
            else if (c == '.')
            {
                if (!hasCurrent)
                {
                    throw Error($"expected {what}, got '.' (empty path segment)");
                }

                segments.Add(current.ToString());
                current.Clear();
                hasCurrent = false;
                Advance();
            }
            else if (IsUnquotedChar(c) && !IsDoubleSlash())
            {
                current.Append(ReadUnquoted(stopAtDot: true));
                hasCurrent = true;
            }
            else
            {
                break;
            }
        }

        if (!hasCurrent)
        {
            throw Error(segments.Count == 0
                ? $"expected {what}, got {DescribeCurrent()}"
                : $"expected {what} segment after '.', got {DescribeCurrent()}");
        }

        segments.Add(current.ToString());
        return segments.ToArray();
    }

    private string ReadUnquoted(bool stopAtDot)
    {
        var start = _position;
        while (!AtEnd)
        {
            var c = Peek();
            if (!IsUnquotedChar(c) || IsDoubleSlash() || (stopAtDot && c == '.'))
            {
                break;
            }

            Advance();
        }

        return _text[start.._position];
    }

    private string ParseQuotedText()
    {
        var open = Origin();
        Advance();
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw ConfigException.At(open, Where, "unterminated quoted string: no closing '\"' before end of input");
            }

            var c = Peek();
            if (c == '"')
            {
                Advance();
                return builder.ToString();
            }

            if (c == '\n')
            {
                throw ConfigException.At(open, Where, "unterminated quoted string: no closing '\"' before end of line");
            }

            if (c != '\\')
            {
                builder.Append(c);
                Advance();
                continue;
            }

            var escape = Origin();
            Advance();
            if (AtEnd)
            {
                throw ConfigException.At(open, Where, "unterminated quoted string: no closing '\"' before end of input");
            }

            var e = Peek();
            Advance();
            switch (e)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length
                        || !int.TryParse(_text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw ConfigException.At(escape, Where, "invalid \\u escape: expected 4 hexadecimal digits");
                    }

                    builder.Append((char)code);
                    AdvanceBy(4);
                    break;
                default:
                    throw ConfigException.At(escape, Where, $"invalid escape sequence '\\{e}' in quoted string");
            }
        }
    }

    private ConfigScalar ParseTripleQuoted()
    {
        var open = Origin();
        AdvanceBy(3);
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw ConfigException.At(open, Where, "unterminated triple-quoted string: no closing '\"\"\"' before end of input");
            }

            if (IsTripleQuote())
            {
                var quotes = 0;
                while (_position + quotes < _text.Length && _text[_position + quotes] == '"')
                {
                    quotes++;
                }

                builder.Append('"', quotes - 3);
                AdvanceBy(quotes);
                return new ConfigScalar(builder.ToString(), ConfigScalarKind.String, open);
            }

            builder.Append(Peek());
            Advance();
        }
    }

    /// <summary>
    /// Allman-style braces: when only whitespace, comments and newlines stand between here and one of
    /// <paramref name="brackets"/>, skips to it (a field can never start with '{' or '[', so this is
    /// unambiguous); otherwise stays put.
    /// </summary>
    /// <returns>True when positioned on one of the brackets.</returns>
    private bool SkipNewlinesBeforeOpeningBracket(string brackets)
    {
        if (!AtEnd && brackets.Contains(Peek(), StringComparison.Ordinal))
        {
            return true;
        }

        var (position, line, column) = (_position, _line, _column);
        SkipWhitespaceAndComments(newlines: true);
        if (!AtEnd && brackets.Contains(Peek(), StringComparison.Ordinal))
        {
            return true;
        }

        (_position, _line, _column) = (position, line, column);
        return false;
    }

    private void SkipInlineWhitespace()
    {
        while (!AtEnd && Peek() != '\n' && IsWhitespace(Peek()))
        {
            Advance();
        }
    }

    private void SkipWhitespaceAndComments(bool newlines)
    {
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '\n' ? newlines : IsWhitespace(c))
            {
                Advance();
            }
            else if (c == '#' || IsDoubleSlash())
            {
                while (!AtEnd && Peek() != '\n')
                {
                    Advance();
                }
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c == '\uFEFF';

    private static bool IsUnquotedChar(char c) => !IsWhitespace(c) && ForbiddenUnquoted.IndexOf(c) < 0;

    private bool IsDoubleSlash() => _position + 1 < _text.Length && _text[_position] == '/' && _text[_position + 1] == '/';

    private bool IsTripleQuote() => MatchesAt(_position, "\"\"\"");

    private bool MatchesAt(int index, string literal) =>
        index + literal.Length <= _text.Length && string.CompareOrdinal(_text, index, literal, 0, literal.Length) == 0;

    private char Peek() => _text[_position];

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void Advance()
    {
        if (_text[_position] == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        _position++;
    }

    private void AdvanceBy(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Advance();
        }
    }

    private ConfigOrigin Origin() => new(_originName, _line, _column);

    private ConfigException Error(string detail) => ConfigException.At(Origin(), Where, detail);

    private string DescribeCurrent()
    {
        if (AtEnd)
        {
            return "end of input";
        }

        var c = Peek();
        return c switch
        {
            '\n' => "end of line",
            '\r' => "end of line",
            _ => $"'{c}'",
        };
    }

    private static string[] Concat(string[] first, string[] second)
    {
        var result = new string[first.Length + second.Length];
        first.CopyTo(result, 0);
        second.CopyTo(result, first.Length);
        return result;
    }

    private static bool StartsWith(string[] path, string[] prefix)
    {
        if (prefix.Length > path.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (!string.Equals(path[i], prefix[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
