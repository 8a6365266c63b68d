using System.Globalization;
using System.Numerics;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A resolved, immutable HOCON configuration tree with Akka.NET's typed accessors (akka-notes §7).
/// Paths are dotted HOCON paths (<c>akka.actor.deployment."/user/x".router</c>). Getters with a default
/// return it when the path is missing or holds <c>null</c>; a getter whose default is null throws
/// <see cref="ConfigException"/> naming the path when it is missing. A present value of the
/// wrong type always throws, with the <c>file:line:column</c> where it was defined, e.g.
/// <c>fabric.conf:3:9: fabric.upcall.flow-limit: expected a number, got 'lots'</c>.
/// </summary>
public sealed class ConfigDocument
{
    private readonly ConfigObject _root;
    private readonly string[] _basePath;

    /// <summary>Wraps a resolved object.</summary>
    /// <param name="root">The resolved root object.</param>
    /// <param name="basePath">Absolute path of <paramref name="root"/> in the document it came from, used in messages.</param>
    internal ConfigDocument(ConfigObject root, string[] basePath)
    {
        _root = root;
        _basePath = basePath;
    }

    /// <summary>The shared empty configuration (see <see cref="ConfigReader.Empty"/>).</summary>
    internal static ConfigDocument EmptyDocument { get; } = new(new ConfigObject(ConfigOrigin.None), Array.Empty<string>());

    /// <summary>The root object of this configuration.</summary>
    public ConfigObject Root => _root;

    /// <summary>True when the root object has no keys.</summary>
    public bool IsEmpty => _root.Count == 0;

    /// <summary>The direct child keys of the root object, in definition order.</summary>
    public IReadOnlyList<string> Keys => _root.Keys;

    /// <summary>Whether a value other than <c>null</c> exists at the path.</summary>
    /// <param name="path">A HOCON path.</param>
    /// <returns>True when the path holds a non-null value.</returns>
    /// <exception cref="ConfigException">The path text is malformed.</exception>
    public bool HasPath(string path) => Find(path) is { } value && value is not ConfigNull;

    /// <summary>The value at the path, or null when it is missing (a HOCON <c>null</c> is returned as <see cref="ConfigNull"/>).</summary>
    /// <param name="path">A HOCON path.</param>
    /// <returns>The resolved value or null.</returns>
    /// <exception cref="ConfigException">The path text is malformed.</exception>
    public ConfigValue? GetValue(string path) => Find(path);

    /// <summary>The sub-tree at the path as a configuration; <see cref="ConfigReader.Empty"/> when missing or null.</summary>
    /// <param name="path">A HOCON path.</param>
    /// <returns>The sub-configuration.</returns>
    /// <exception cref="ConfigException">The value at the path is not an object.</exception>
    public ConfigDocument GetConfig(string path)
    {
        var segments = HoconParser.ParsePath(path);
        return Find(segments) switch
        {
            null or ConfigNull => ConfigReader.Empty,
            ConfigObject o => new ConfigDocument(o, Concat(_basePath, segments)),
            var other => throw TypeError(path, other, "an object"),
        };
    }

    /// <summary>The value at the path as a string (numbers and booleans as written).</summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null; when this is null a missing path throws.</param>
    /// <returns>The string.</returns>
    /// <exception cref="ConfigException">The path is missing and no default was given, or the value is an object or array.</exception>
    public string GetString(string path, string? @default = null)
    {
        var value = Find(path);
        return value switch
        {
            null or ConfigNull => @default ?? throw Missing(path),
            ConfigScalar s => s.Text,
            _ => throw TypeError(path, value, "a string"),
        };
    }

    /// <summary>The value at the path as a 32-bit integer (a number or numeric string).</summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null.</param>
    /// <returns>The integer.</returns>
    /// <exception cref="ConfigException">The value is not a whole number in the <see cref="int"/> range.</exception>
    public int GetInt(string path, int @default = 0) => GetWholeNumber(path, @default, "a whole number in the 32-bit integer range");

    /// <summary>The value at the path as a 64-bit integer (a number or numeric string).</summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null.</param>
    /// <returns>The integer.</returns>
    /// <exception cref="ConfigException">The value is not a whole number in the <see cref="long"/> range.</exception>
    public long GetLong(string path, long @default = 0) => GetWholeNumber(path, @default, "a whole number in the 64-bit integer range");

    /// <summary>The value at the path as a double (invariant culture, exponent allowed).</summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null.</param>
    /// <returns>The number.</returns>
    /// <exception cref="ConfigException">The value is not a number.</exception>
    public double GetDouble(string path, double @default = 0)
    {
        var text = ScalarText(path, "a number", out var value);
        if (text is null)
        {
            return @default;
        }

        if (HoconParser.IsNumber(text.Trim())
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        throw TypeError(path, value!, "a number");
    }

    /// <summary>The value at the path as a boolean: <c>true</c>/<c>yes</c>/<c>on</c> or <c>false</c>/<c>no</c>/<c>off</c> (lowercase, as the HOCON spec).</summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null.</param>
    /// <returns>The boolean.</returns>
    /// <exception cref="ConfigException">The value is none of the six boolean words.</exception>
    public bool GetBoolean(string path, bool @default = false)
    {
        var text = ScalarText(path, "a boolean (true/false, yes/no, on/off)", out var value);
        return text switch
        {
            null => @default,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw TypeError(path, value!, "a boolean (true/false, yes/no, on/off)"),
        };
    }

    /// <summary>
    /// The value at the path as a duration, by Akka's exact rules (akka-notes §7): a non-negative
    /// number, optional whitespace and a lowercase unit <c>ns us ms s m h d</c> (or long forms such as
    /// <c>millis</c>, <c>seconds</c>, <c>minutes</c>); a bare number is milliseconds;
    /// <c>infinite</c> (any case) is <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null; when this is null a missing path throws.</param>
    /// <param name="allowInfinite">Whether <c>infinite</c> is accepted.</param>
    /// <returns>The duration.</returns>
    /// <exception cref="ConfigException">The path is missing without a default, or the text is not a valid duration (e.g. <c>10S</c>, <c>10sec</c>, <c>1h30m</c>, <c>-1s</c>).</exception>
    public TimeSpan GetTimeSpan(string path, TimeSpan? @default = null, bool allowInfinite = true)
    {
        var text = ScalarText(path, HoconDurations.Expected, out var value);
        if (text is null)
        {
            return @default ?? throw Missing(path);
        }

        if (HoconDurations.TryParse(text, allowInfinite, out var result, out var error))
        {
            return result;
        }

        throw FormatError(path, value!, text, HoconDurations.Expected, error);
    }

    /// <summary>
    /// The value at the path as a size in bytes (akka-notes §7): a non-negative number and an
    /// optional case-sensitive suffix; <c>kB</c>/<c>MB</c>/… are powers of 1000, <c>K</c>/<c>k</c>/<c>Ki</c>/<c>KiB</c>/… powers of 1024.
    /// </summary>
    /// <param name="path">A HOCON path.</param>
    /// <param name="default">Returned when the path is missing or null; when this is null a missing path throws.</param>
    /// <returns>The size in bytes.</returns>
    /// <exception cref="ConfigException">The path is missing without a default, or the text is not a valid size.</exception>
    public long GetByteSize(string path, long? @default = null)
    {
        var text = ScalarText(path, HoconByteSizes.Expected, out var value);
        if (text is null)
        {
            return @default ?? throw Missing(path);
        }

        if (HoconByteSizes.TryParse(text, out var result, out var error))
        {
            return result;
        }

        throw FormatError(path, value!, text, HoconByteSizes.Expected, error);
    }

    /// <summary>The array at the path as strings; empty when the path is missing or null.</summary>
    /// <param name="path">A HOCON path.</param>
    /// <returns>The strings in order.</returns>
    /// <exception cref="ConfigException">The value is not an array, or an element is not a string, number or boolean.</exception>
    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Find(path);
        if (value is null or ConfigNull)
        {
            return Array.Empty<string>();
        }

        if (value is not ConfigArray array)
        {
            throw TypeError(path, value, "an array of strings");
        }

        var result = new string[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            result[i] = array.Items[i] is ConfigScalar s
                ? s.Text
                : throw TypeError($"{path}[{i}]", array.Items[i], "a string");
        }

        return result;
    }

    /// <summary>The array of objects at the path as configurations; empty when the path is missing or null.</summary>
    /// <param name="path">A HOCON path.</param>
    /// <returns>One configuration per element, in order.</returns>
    /// <exception cref="ConfigException">The value is not an array, or an element is not an object.</exception>
    public IReadOnlyList<ConfigDocument> GetConfigList(string path)
    {
        var segments = HoconParser.ParsePath(path);
        var value = Find(segments);
        if (value is null or ConfigNull)
        {
            return Array.Empty<ConfigDocument>();
        }

        if (value is not ConfigArray array)
        {
            throw TypeError(path, value, "an array of objects");
        }

        var result = new ConfigDocument[array.Count];
        var basePath = Concat(_basePath, segments);
        for (var i = 0; i < array.Count; i++)
        {
            result[i] = array.Items[i] is ConfigObject o
                ? new ConfigDocument(o, basePath)
                : throw TypeError($"{path}[{i}]", array.Items[i], "an object");
        }

        return result;
    }

    /// <summary>
    /// Every leaf as a flattened dotted path (segments quoted where needed) and its value, depth-first in
    /// definition order. Leaves are scalars, nulls and arrays; empty objects are skipped.
    /// </summary>
    /// <returns>The path/value pairs.</returns>
    public IEnumerable<KeyValuePair<string, ConfigValue>> AsEnumerable()
    {
        var segments = new List<string>();
        var result = new List<KeyValuePair<string, ConfigValue>>();
        Flatten(_root, segments, result);
        return result;
    }

    /// <summary>
    /// This configuration with <paramref name="fallback"/> behind it: keys of this configuration win,
    /// objects present in both merge recursively (a user config over reference defaults).
    /// </summary>
    /// <param name="fallback">The configuration consulted for keys this one does not define.</param>
    /// <returns>The merged configuration.</returns>
    public ConfigDocument WithFallback(ConfigDocument fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (fallback.IsEmpty || ReferenceEquals(fallback, this))
        {
            return this;
        }

        if (IsEmpty)
        {
            return new ConfigDocument(fallback._root, _basePath);
        }

        return new ConfigDocument((ConfigObject)HoconMerge.Combine(fallback._root, _root), _basePath);
    }

    /// <summary>Where the value at the path was defined, as <c>file:line:column</c>; empty when missing or unknown.</summary>
    /// <param name="path">A HOCON path.</param>
    /// <returns>The origin text.</returns>
    public string GetOrigin(string path) => Find(path)?.Origin.ToString() ?? string.Empty;

    /// <summary>Renders the configuration as HOCON text that parses back to an equal configuration.</summary>
    /// <returns>The HOCON text.</returns>
    public override string ToString() => HoconRenderer.Render(_root);

    private ConfigValue? Find(string path) => Find(HoconParser.ParsePath(path));

    private ConfigValue? Find(string[] segments)
    {
        ConfigValue current = _root;
        foreach (var segment in segments)
        {
            if (current is not ConfigObject o || !o.TryGetValue(segment, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private T GetWholeNumber<T>(string path, T @default, string expected)
        where T : IBinaryInteger<T>
    {
        var text = ScalarText(path, "a number", out var value);
        if (text is null)
        {
            return @default;
        }

        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        throw NumberError(path, value!, text, expected);
    }

    private string? ScalarText(string path, string expected, out ConfigValue? value)
    {
        value = Find(path);
        return value switch
        {
            null or ConfigNull => null,
            ConfigScalar s => s.Text,
            _ => throw TypeError(path, value, expected),
        };
    }

    private static void Flatten(ConfigObject node, List<string> segments, List<KeyValuePair<string, ConfigValue>> result)
    {
        foreach (var (key, value) in node)
        {
            segments.Add(key);
            if (value is ConfigObject child)
            {
                Flatten(child, segments, result);
            }
            else
            {
                result.Add(new KeyValuePair<string, ConfigValue>(HoconPath.Render(segments), value));
            }

            segments.RemoveAt(segments.Count - 1);
        }
    }

    private string FullPath(string path) => _basePath.Length == 0 ? path : HoconPath.Render(_basePath) + "." + path;

    private ConfigException Missing(string path) =>
        new($"{FullPath(path)}: missing configuration value (no default given)");

    private ConfigException TypeError(string path, ConfigValue value, string expected)
    {
        var got = value is ConfigScalar s ? $"'{s.Text}'" : HoconResolver.KindName(value);
        return ConfigException.At(value.Origin, $"{FullPath(path)}: expected {expected}, got {got}");
    }

    private ConfigException NumberError(string path, ConfigValue value, string text, string expected) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? ConfigException.At(value.Origin, $"{FullPath(path)}: expected {expected}, got '{text}'")
            : TypeError(path, value, "a number");

    private ConfigException FormatError(string path, ConfigValue value, string text, string expected, string? error) =>
        ConfigException.At(value.Origin, $"{FullPath(path)}: expected {expected}, got '{text}'" + (error is null ? string.Empty : $": {error}"));

    private static string[] Concat(string[] first, string[] second)
    {
        var result = new string[first.Length + second.Length];
        first.CopyTo(result, 0);
        second.CopyTo(result, first.Length);
        return result;
    }
}
