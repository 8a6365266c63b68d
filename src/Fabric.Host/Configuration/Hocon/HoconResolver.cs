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
    private readonly ConfigObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<ConfigValue, ConfigValue> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<ConfigValue> _active = new(ReferenceEqualityComparer.Instance);
    private readonly List<ConfigSubstitution> _chain = new();

    public HoconResolver(ConfigObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>Resolves the whole document.</summary>
    public ConfigObject ResolveRoot() => (ConfigObject)Resolve(_root);

    private ConfigValue Resolve(ConfigValue value)
    {
        if (value is ConfigScalar or ConfigNull or ConfigUndefined)
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
        if (value is ConfigSubstitution substitution)
        {
            _chain.Add(substitution);
            pushed = true;
        }

        try
        {
            var result = value switch
            {
                ConfigObject o => ResolveObject(o),
                ConfigArray a => ResolveArray(a),
                ConfigSubstitution s => ResolveSubstitution(s),
                ConfigConcatenation c => ResolveConcatenation(c),
                ConfigDelayedMerge m => ResolveMerge(m),
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

    private ConfigException Cycle(ConfigValue value)
    {
        var start = value is ConfigSubstitution s ? _chain.IndexOf(s) : -1;
        var cycle = start < 0 ? _chain : _chain.GetRange(start, _chain.Count - start);
        if (cycle.Count == 0)
        {
            return ConfigException.At(value.Origin, "cycle in substitutions");
        }

        var names = new List<string>(cycle.Count + 1);
        foreach (var item in cycle)
        {
            names.Add(item.Display);
        }

        names.Add(cycle[0].Display);
        return ConfigException.At(cycle[0].Origin, cycle[0].Where, $"cycle in substitutions: {string.Join(" -> ", names)}");
    }

    private ConfigObject ResolveObject(ConfigObject raw)
    {
        var result = new ConfigObject(raw.Origin);
        foreach (var (key, child) in raw)
        {
            var value = Resolve(child);
            if (value is not ConfigUndefined)
            {
                result.Set(key, value);
            }
        }

        return result;
    }

    private ConfigArray ResolveArray(ConfigArray raw)
    {
        var items = new List<ConfigValue>(raw.Count);
        foreach (var item in raw.Items)
        {
            var value = Resolve(item);
            if (value is not ConfigUndefined)
            {
                items.Add(value);
            }
        }

        return new ConfigArray(raw.Origin, items);
    }

    private ConfigValue ResolveSubstitution(ConfigSubstitution substitution)
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
            return new ConfigScalar(text, ConfigScalarKind.String, substitution.Origin);
        }

        if (substitution.Optional)
        {
            return ConfigUndefined.Instance;
        }

        throw ConfigException.At(
            substitution.Origin,
            substitution.Where,
            $"could not resolve substitution {substitution.Display}: no such configuration path and no environment variable '{substitution.EnvironmentName}'");
    }

    /// <summary>Walks a path from a raw node, resolving only the nodes on the way that must be resolved.</summary>
    private ConfigValue? Lookup(ConfigValue start, string[] path)
    {
        var current = start;
        foreach (var segment in path)
        {
            if (HoconMerge.IsUnresolved(current))
            {
                current = Resolve(current);
            }

            if (current is not ConfigObject o || !o.TryGetValue(segment, out var next))
            {
                return null;
            }

            current = next;
        }

        var result = Resolve(current);
        return result is ConfigUndefined ? null : result;
    }

    private ConfigValue ResolveConcatenation(ConfigConcatenation concatenation)
    {
        var values = new List<ConfigValue>(concatenation.Parts.Count);
        var separators = new List<string>(concatenation.Parts.Count);
        for (var i = 0; i < concatenation.Parts.Count; i++)
        {
            var value = Resolve(concatenation.Parts[i]);
            if (value is ConfigUndefined)
            {
                continue;
            }

            separators.Add(values.Count == 0 ? string.Empty : concatenation.Separators[i]);
            values.Add(value);
        }

        if (values.Count == 0)
        {
            return ConfigUndefined.Instance;
        }

        if (values.Count == 1)
        {
            return values[0];
        }

        var first = values[0];
        if (first is ConfigObject)
        {
            ConfigValue merged = first;
            for (var i = 1; i < values.Count; i++)
            {
                merged = values[i] is ConfigObject
                    ? HoconMerge.Combine(merged, values[i])
                    : throw Mixed(concatenation, merged, values[i]);
            }

            return merged;
        }

        if (first is ConfigArray)
        {
            var items = new List<ConfigValue>();
            foreach (var value in values)
            {
                items.AddRange(value is ConfigArray a ? a.Items : throw Mixed(concatenation, first, value));
            }

            return new ConfigArray(first.Origin, items);
        }

        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            var text = values[i] switch
            {
                ConfigScalar s => s.Text,
                ConfigNull => "null",
                _ => throw Mixed(concatenation, first, values[i]),
            };
            builder.Append(separators[i]).Append(text);
        }

        return new ConfigScalar(builder.ToString(), ConfigScalarKind.String, concatenation.Origin);
    }

    private static ConfigException Mixed(ConfigConcatenation concatenation, ConfigValue left, ConfigValue right) =>
        ConfigException.At(concatenation.Origin, concatenation.Where, $"cannot concatenate {KindName(left)} and {KindName(right)}");

    internal static string KindName(ConfigValue value) => value switch
    {
        ConfigObject => "an object",
        ConfigArray => "an array",
        ConfigNull => "null",
        ConfigScalar { Kind: ConfigScalarKind.Number } => "a number",
        ConfigScalar { Kind: ConfigScalarKind.Boolean } => "a boolean",
        _ => "a string",
    };

    private ConfigValue ResolveMerge(ConfigDelayedMerge merge)
    {
        var newer = Resolve(merge.Newer);
        if (newer is ConfigUndefined)
        {
            return Resolve(merge.Older);
        }

        if (newer is ConfigObject)
        {
            var older = Resolve(merge.Older);
            if (older is ConfigObject)
            {
                return HoconMerge.Combine(older, newer);
            }
        }

        return newer;
    }
}
