using System.Globalization;

namespace Fabric.Persistence.Sql.Schema;

/// <summary>
/// The three table names of Akka.Persistence.Sql's <c>default</c> mapping (actor-semantics §6) with an optional prefix:
/// <c>{prefix}journal</c>, <c>{prefix}journal_metadata</c>, <c>{prefix}snapshot</c>.
/// </summary>
public sealed class TableNames
{
    private TableNames(string prefix)
    {
        Prefix = prefix;
        Journal = prefix + "journal";
        Metadata = prefix + "journal_metadata";
        Snapshot = prefix + "snapshot";
    }

    /// <summary>The prefix (may be empty).</summary>
    public string Prefix { get; }

    /// <summary>The journal table.</summary>
    public string Journal { get; }

    /// <summary>The table keeping the highest sequence number of deleted events.</summary>
    public string Metadata { get; }

    /// <summary>The snapshot table.</summary>
    public string Snapshot { get; }

    /// <summary>True when <paramref name="prefix"/> is usable: empty, or a letter or '_' followed by up to 39 letters, digits or '_'.</summary>
    /// <param name="prefix">Candidate prefix.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return true;
        }

        if (prefix.Length > 40 || !(char.IsAsciiLetter(prefix[0]) || prefix[0] == '_'))
        {
            return false;
        }

        foreach (char c in prefix)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The table names for <paramref name="prefix"/>.</summary>
    /// <param name="prefix">Table-name prefix, see <see cref="IsValidPrefix"/>; names are used lower-case.</param>
    /// <returns>The names.</returns>
    /// <exception cref="ArgumentException">The prefix is not a plain SQL identifier prefix.</exception>
    public static TableNames For(string prefix)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"table prefix '{prefix}' must be empty or a letter or '_' followed by up to 39 letters, digits or '_'", nameof(prefix));
        }

        return new TableNames(prefix.ToLower(CultureInfo.InvariantCulture));
    }
}
