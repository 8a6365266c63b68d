namespace Fabric.Host.Configuration.Hocon;

/// <summary>
/// INTERNAL API. The HOCON merge rule for repeated keys and fallbacks (actor-semantics §9): two objects
/// merge recursively (newer keys win), any other newer value replaces the older one (so a <c>null</c>
/// in between cuts the merge); when either side is still unresolved the decision waits for
/// resolution (<see cref="HoconDelayedMerge"/>). Never mutates its inputs.
/// </summary>
internal static class HoconMerge
{
    /// <summary>Whether a raw value still needs resolution to know its kind.</summary>
    public static bool IsUnresolved(HoconValue value) =>
        value is HoconSubstitution or HoconConcatenation or HoconDelayedMerge;

    /// <summary>Combines an earlier and a later definition of the same key.</summary>
    public static HoconValue Combine(HoconValue older, HoconValue newer)
    {
        if (newer is HoconObject newerObject && older is HoconObject olderObject)
        {
            var result = olderObject.Clone(olderObject.Origin);
            foreach (var (key, value) in newerObject)
            {
                MergeInto(result, key, value);
            }

            return result;
        }

        if (IsUnresolved(newer) || (newer is HoconObject && IsUnresolved(older)))
        {
            return new HoconDelayedMerge(older, newer);
        }

        return newer;
    }

    /// <summary>Defines <paramref name="key"/> in <paramref name="target"/>, merging with an earlier definition.</summary>
    public static void MergeInto(HoconObject target, string key, HoconValue value)
    {
        target.Set(key, target.TryGetValue(key, out var existing) ? Combine(existing, value) : value);
    }
}
