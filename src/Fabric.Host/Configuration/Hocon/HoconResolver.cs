namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. Resolves the substitutions of a parsed document after the whole document (with its
/// includes) is parsed, as the HOCON spec prescribes: forward references work and the last definition
/// wins; each <c>${path}</c> is looked up in the document, then as an environment variable of the same
/// name; an undefined <c>${?path}</c> removes its field (or array element); an undefined
/// <c>${path}</c> and a cycle are errors positioned at the substitution. Results are memoized per
/// node, so every node is resolved once.
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<HoconValue> _active = new(ReferenceEqualityComparer.Instance);
    private readonly List<HoconSubstitution> _chain = new();

    public HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>Resolves the whole document.</summary>
    public HoconObject ResolveRoot() => (HoconObject)Resolve(_root);

    private HoconValue Resolve(HoconValue value)
    {
        if (value is HoconScalar or HoconNull or HoconUndefined)
        {
            return value;
        }

        if (_resolved.TryGetValue(value, out var done))
        {
            return done;
        }

        if (!_active.Add(value))
        {
            throw Cycle(value);
        }

        var pushed = false;
        if (value is HoconSubstitution substitution)
        {
            _chain.Add(substitution);
            pushed = true;
        }

        try
        {
            var result = value switch
            {
                HoconObject o => ResolveObject(o),
                HoconArray a => ResolveArray(a),
                HoconSubstitution s => ResolveSubstitution(s),
                HoconConcatenation c => ResolveConcatenation(c),
                HoconDelayedMerge m => ResolveMerge(m),
                _ => value,
            };
            _resolved[value] = result;
            return result;
        }
        finally
        {
            _active.Remove(value);
            if (pushed)
            {
                _chain.RemoveAt(_chain.Count - 1);
            }
        }
    }

    private ConfigurationException Cycle(HoconValue value)
    {
        var start = value is HoconSubstitution s ? _chain.IndexOf(s) : -1;
        var cycle = start < 0 ? _chain : _chain.GetRange(start, _chain.Count - start);
        if (cycle.Count == 0)
        {
            return ConfigurationException.At(value.Origin, "cycle in substitutions");
        }

        var names = new List<string>(cycle.Count + 1);
        foreach (var item in cycle)
        {
            names.Add(item.Display);
        }

        names.Add(cycle[0].Display);
        return ConfigurationException.At(cycle[0].Origin, $"cycle in substitutions: {string.Join(" -> ", names)}");
    }

    private HoconObject ResolveObject(HoconObject raw)
    {
        var result = new HoconObject(raw.Origin);
        foreach (var (key, child) in raw)
        {
            var value = Resolve(child);
            if (value is not HoconUndefined)
            {
                result.Set(key, value);
            }
        }

        return result;
    }

    private HoconArray ResolveArray(HoconArray raw)
    {
        var items = new List<HoconValue>(raw.Count);
        foreach (var item in raw.Items)
        {
            var value = Resolve(item);
            if (value is not HoconUndefined)
            {
                items.Add(value);
            }
        }

        return new HoconArray(raw.Origin, items);
    }

    private HoconValue ResolveSubstitution(HoconSubstitution substitution)
    {
        if (substitution.Scope is not null)
        {
            var found = Lookup(substitution.Scope, substitution.Paths[0]);
            if (found is not null)
            {
                return found;
            }
        }
        else if (!substitution.SkipConfig)
        {
            foreach (var path in substitution.Paths)
            {
                var found = Lookup(_root, path);
                if (found is not null)
                {
                    return found;
                }
            }
        }

        if (substitution.EnvironmentName.Length > 0 && _environment(substitution.EnvironmentName) is { } text)
        {
            return new HoconScalar(text, HoconScalarKind.String, substitution.Origin);
        }

        if (substitution.Optional)
        {
            return HoconUndefined.Instance;
        }

        throw ConfigurationException.At(
            substitution.Origin,
            $"could not resolve substitution {substitution.Display}: no such configuration path and no environment variable '{substitution.EnvironmentName}'");
    }

    /// <summary>Walks a path from a raw node, resolving only the nodes on the way that must be resolved.</summary>
    private HoconValue? Lookup(HoconValue start, string[] path)
    {
        var current = start;
        foreach (var segment in path)
        {
            if (HoconMerge.IsUnresolved(current))
            {
                current = Resolve(current);
            }

            if (current is not HoconObject o || !o.TryGetValue(segment, out var next))
            {
                return null;
            }

            current = next;
        }

        var result = Resolve(current);
        return result is HoconUndefined ? null : result;
    }

    private HoconValue ResolveConcatenation(HoconConcatenation concatenation)
    {
        var values = new List<HoconValue>(concatenation.Parts.Count);
        var separators = new List<string>(concatenation.Parts.Count);
        for (var i = 0; i < concatenation.Parts.Count; i++)
        {
            var value = Resolve(concatenation.Parts[i]);
            if (value is HoconUndefined)
            {
                continue;
            }

            separators.Add(values.Count == 0 ? string.Empty : concatenation.Separators[i]);
            values.Add(value);
        }

        if (values.Count == 0)
        {
            return HoconUndefined.Instance;
        }

        if (values.Count == 1)
        {
            return values[0];
        }

        var first = values[0];
        if (first is HoconObject)
        {
            HoconValue merged = first;
            for (var i = 1; i < values.Count; i++)
            {
                merged = values[i] is HoconObject
                    ? HoconMerge.Combine(merged, values[i])
                    : throw Mixed(concatenation, merged, values[i]);
            }

            return merged;
        }

        if (first is HoconArray)
        {
            var items = new List<HoconValue>();
            foreach (var value in values)
            {
                items.AddRange(value is HoconArray a ? a.Items : throw Mixed(concatenation, first, value));
            }

            return new HoconArray(first.Origin, items);
        }

        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            var text = values[i] switch
            {
                HoconScalar s => s.Text,
                HoconNull => "null",
                _ => throw Mixed(concatenation, first, values[i]),
            };
            builder.Append(separators[i]).Append(text);
        }

        return new HoconScalar(builder.ToString(), HoconScalarKind.String, concatenation.Origin);
    }

    private static ConfigurationException Mixed(HoconConcatenation concatenation, HoconValue left, HoconValue right) =>
        ConfigurationException.At(concatenation.Origin, $"cannot concatenate {KindName(left)} and {KindName(right)}");

    internal static string KindName(HoconValue value) => value switch
    {
        HoconObject => "an object",
        HoconArray => "an array",
        HoconNull => "null",
        HoconScalar { Kind: HoconScalarKind.Number } => "a number",
        HoconScalar { Kind: HoconScalarKind.Boolean } => "a boolean",
        _ => "a string",
    };

    private HoconValue ResolveMerge(HoconDelayedMerge merge)
    {
        var newer = Resolve(merge.Newer);
        if (newer is HoconUndefined)
        {
            return Resolve(merge.Older);
        }

        if (newer is HoconObject)
        {
            var older = Resolve(merge.Older);
            if (older is HoconObject)
            {
                return HoconMerge.Combine(older, newer);
            }
        }

        return newer;
    }
}
