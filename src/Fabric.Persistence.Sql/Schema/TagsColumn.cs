namespace Fabric.Persistence.Sql.Schema;

/// <summary>
/// Encodes tags into the <c>tags</c> column in Akka.Persistence.Sql's CSV tag mode: <c>;t1;t2;</c> (separator ';'),
/// NULL when there are none (actor-semantics §6).
/// </summary>
internal static class TagsColumn
{
    /// <summary>The column value for <paramref name="tags"/>, or null when empty.</summary>
    /// <param name="tags">Tags; none may contain ';'.</param>
    /// <returns>The CSV text or null.</returns>
    public static string? Encode(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return null;
        }

        return ";" + string.Join(';', tags) + ";";
    }

    /// <summary>The tags in a column value (null or empty → none).</summary>
    /// <param name="value">The column text.</param>
    /// <returns>The tags.</returns>
    public static IReadOnlyList<string> Decode(string? value) =>
        string.IsNullOrEmpty(value) ? Array.Empty<string>() : value.Split(';', StringSplitOptions.RemoveEmptyEntries);
}
