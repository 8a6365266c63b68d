using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A HOCON object: string keys mapped to values, enumerated in definition order (the position of a
/// key's first definition). Repeated keys merge recursively when both values are objects; any other
/// later value replaces the earlier one (akka-notes §7). Objects handed out by
/// <see cref="ConfigDocument"/> are immutable.
/// </summary>
public sealed class ConfigObject : ConfigValue, IReadOnlyDictionary<string, ConfigValue>
{
    private readonly List<string> _keys;
    private readonly Dictionary<string, ConfigValue> _values;

    /// <summary>Creates an empty object.</summary>
    /// <param name="origin">Where the object was defined (its opening brace or its key).</param>
    internal ConfigObject(ConfigOrigin origin)
        : base(origin)
    {
        _keys = new List<string>();
        _values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
    }

    private ConfigObject(ConfigOrigin origin, List<string> keys, Dictionary<string, ConfigValue> values)
        : base(origin)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>The keys in definition order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The number of keys.</summary>
    public int Count => _keys.Count;

    IEnumerable<string> IReadOnlyDictionary<string, ConfigValue>.Keys => _keys;

    /// <summary>The values, in the order of <see cref="Keys"/>.</summary>
    public IEnumerable<ConfigValue> Values
    {
        get
        {
            foreach (var key in _keys)
            {
                yield return _values[key];
            }
        }
    }

    /// <summary>The value of a direct child key.</summary>
    /// <param name="key">A single key (not a dotted path).</param>
    /// <exception cref="KeyNotFoundException">The key is not defined.</exception>
    public ConfigValue this[string key] => _values[key];

    /// <summary>Whether a direct child key is defined.</summary>
    /// <param name="key">A single key (not a dotted path).</param>
    /// <returns>True when the key is defined (even as <c>null</c>).</returns>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>Looks up a direct child key.</summary>
    /// <param name="key">A single key (not a dotted path).</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when the key is defined.</returns>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out ConfigValue value) => _values.TryGetValue(key, out value);

    /// <summary>Enumerates the key/value pairs in definition order.</summary>
    /// <returns>An enumerator over the pairs.</returns>
    public IEnumerator<KeyValuePair<string, ConfigValue>> GetEnumerator()
    {
        foreach (var key in _keys)
        {
            yield return new KeyValuePair<string, ConfigValue>(key, _values[key]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Defines or replaces a key; a replaced key keeps its position. Only used while building.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    internal void Set(string key, ConfigValue value)
    {
        if (!_values.ContainsKey(key))
        {
            _keys.Add(key);
        }

        _values[key] = value;
    }

    /// <summary>A shallow copy (children are shared; they are never mutated after they are placed).</summary>
    /// <param name="origin">The origin of the copy.</param>
    /// <returns>A new object with the same keys and values.</returns>
    internal ConfigObject Clone(ConfigOrigin origin) =>
        new(origin, new List<string>(_keys), new Dictionary<string, ConfigValue>(_values, StringComparer.Ordinal));
}
