namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. The HOCON merge rule for repeated keys and fallbacks (akka-notes §7): two objects
/// merge recursively (newer keys win), any other newer value replaces the older one (so a <c>null</c>
/// in between cuts the merge); when either side is still unresolved the decision waits for
/// resolution (<see cref="ConfigDelayedMerge"/>). Never mutates its inputs.
/// </summary>
internal static class HoconMerge
{
    /// <summary>Whether a raw value still needs resolution to know its kind.</summary>
    public static bool IsUnresolved(ConfigValue value) =>
        value is ConfigSubstitution or ConfigConcatenation or ConfigDelayedMerge;

    /// <summary>Combines an earlier and a later definition of the same key.</summary>
    public static ConfigValue Combine(ConfigValue older, ConfigValue newer)
    {
        if (newer is ConfigObject newerObject && older is ConfigObject olderObject)
        {
            var result = olderObject.Clone(olderObject.Origin);
            foreach (var (key, value) in newerObject)
            {
                MergeInto(result, key, value);
            }

            return result;
        }

        if (IsUnresolved(newer) || (newer is ConfigObject && IsUnresolved(older)))
        {
            return new ConfigDelayedMerge(older, newer);
        }

        return newer;
    }

    /// <summary>Defines <paramref name="key"/> in <paramref name="target"/>, merging with an earlier definition.</summary>
    public static void MergeInto(ConfigObject target, string key, ConfigValue value)
    {
        target.Set(key, target.TryGetValue(key, out var existing) ? Combine(existing, value) : value);
    }
}
