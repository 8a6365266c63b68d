using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// A HOCON object: string keys mapped to values, enumerated in definition order (the position of a
/// key's first definition). Repeated keys merge recursively when both values are objects; any other
/// later value replaces the earlier one (actor-semantics §9). Objects handed out by
/// <see cref="Config"/> are immutable.
/// </summary>
public sealed class HoconObject : HoconValue, IReadOnlyDictionary<string, HoconValue>
{
    private readonly List<string> _keys;
    private readonly Dictionary<string, HoconValue> _values;

    /// <summary>Creates an empty object.</summary>
    /// <param name="origin">Where the object was defined (its opening brace or its key).</param>
    internal HoconObject(HoconOrigin origin)
        : base(origin)
    {
        _keys = new List<string>();
        _values = new Dictionary<string, HoconValue>(StringComparer.Ordinal);
    }

    private HoconObject(HoconOrigin origin, List<string> keys, Dictionary<string, HoconValue> values)
        : base(origin)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>The keys in definition order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The number of keys.</summary>
    public int Count => _keys.Count;

    IEnumerable<string> IReadOnlyDictionary<string, HoconValue>.Keys => _keys;

    /// <summary>The values, in the order of <see cref="Keys"/>.</summary>
    public IEnumerable<HoconValue> Values
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
    public HoconValue this[string key] => _values[key];

    /// <summary>Whether a direct child key is defined.</summary>
    /// <param name="key">A single key (not a dotted path).</param>
    /// <returns>True when the key is defined (even as <c>null</c>).</returns>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>Looks up a direct child key.</summary>
    /// <param name="key">A single key (not a dotted path).</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when the key is defined.</returns>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out HoconValue value) => _values.TryGetValue(key, out value);

    /// <summary>Enumerates the key/value pairs in definition order.</summary>
    /// <returns>An enumerator over the pairs.</returns>
    public IEnumerator<KeyValuePair<string, HoconValue>> GetEnumerator()
    {
        foreach (var key in _keys)
        {
            yield return new KeyValuePair<string, HoconValue>(key, _values[key]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Defines or replaces a key; a replaced key keeps its position. Only used while building.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    internal void Set(string key, HoconValue value)
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
    internal HoconObject Clone(HoconOrigin origin) =>
        new(origin, new List<string>(_keys), new Dictionary<string, HoconValue>(_values, StringComparer.Ordinal));
}
