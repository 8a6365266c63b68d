using Fabric.Host.Configuration.Hocon;

namespace Fabric.Host.Configuration;

/// <summary>
/// Refuses settings Fabric does not know, so that a misspelt key is an error instead of a silently used default:
/// <c>file:line:column: fabric.bridges[0].ports[1].tgg: unknown setting (did you mean 'tag'?)</c>. The position is
/// that of the key's value.
/// </summary>
internal static class UnknownSettings
{
    /// <summary>
    /// Checks <paramref name="given"/> against <paramref name="reference"/>: every key must exist there, and objects
    /// present in both are checked recursively. Arrays and other values are not looked into.
    /// </summary>
    /// <param name="given">The configuration as read (merged over the reference).</param>
    /// <param name="reference">The same section of the reference configuration.</param>
    /// <param name="path">Path segments of both objects, e.g. ["fabric"].</param>
    /// <exception cref="ConfigException">A key the reference does not have.</exception>
    public static void Refuse(ConfigObject given, ConfigObject reference, IReadOnlyList<string> path)
    {
        foreach (var (key, value) in given)
        {
            string[] keyPath = [.. path, key];
            if (!reference.TryGetValue(key, out var known))
            {
                throw ConfigException.At(value.Origin, $"{HoconPath.Render(keyPath)}: {Describe(key, reference.Keys)}");
            }

            if (value is ConfigObject givenChild && known is ConfigObject referenceChild)
            {
                Refuse(givenChild, referenceChild, keyPath);
            }
        }
    }

    /// <summary>Checks that every key of an array entry (a bridge, a port) is one of <paramref name="known"/>.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="known">Its keys.</param>
    /// <param name="where">The entry's path, e.g. <c>fabric.bridges[0].ports[1]</c>.</param>
    /// <exception cref="ConfigException">A key that is not known.</exception>
    public static void Refuse(ConfigDocument entry, IReadOnlyList<string> known, string where)
    {
        foreach (var (key, value) in entry.Root)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw ConfigException.At(value.Origin, $"{where}.{HoconPath.Render([key])}: {Describe(key, known)}");
            }
        }
    }

    /// <summary>
    /// The known key closest to <paramref name="key"/> by edit distance (insertions, deletions, substitutions and
    /// swaps of neighbours), when it is close: at most 2 edits and fewer than half the key's length.
    /// </summary>
    /// <param name="key">The unknown key.</param>
    /// <param name="known">The keys that would be accepted there.</param>
    /// <returns>The suggestion, or null when nothing is close.</returns>
    public static string? Closest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(key, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= 2 && bestDistance * 2 < key.Length ? best : null;
    }

    private static string Describe(string key, IEnumerable<string> known) =>
        Closest(key, known) is { } suggestion ? $"unknown setting (did you mean '{suggestion}'?)" : "unknown setting";

    /// <summary>Optimal string alignment distance between two strings.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
