using Fabric.Kernel.Persistence;

namespace Fabric.Persistence.Sql.Schema;

/// <summary>
/// Checks an AtomicWrite against the journal table's column limits (Akka.Persistence.Sql <c>default</c> mapping:
/// persistence_id ≤ 255, manifest ≤ 500, tags ≤ 100, writer_uuid ≤ 128 characters) and the one-persistence-id rule, so that
/// an unstorable write is rejected on its own instead of failing the whole batch.
/// </summary>
internal static class JournalRowCheck
{
    /// <summary>Maximum persistence_id length in characters.</summary>
    public const int MaxPersistenceId = 255;

    /// <summary>Maximum manifest length in characters.</summary>
    public const int MaxManifest = 500;

    /// <summary>Maximum tags column length in characters (CSV form).</summary>
    public const int MaxTags = 100;

    /// <summary>Maximum writer_uuid length in characters.</summary>
    public const int MaxWriterUuid = 128;

    /// <summary>The rejection for <paramref name="events"/>, or null when all of them can be stored.</summary>
    /// <param name="events">A non-empty AtomicWrite payload.</param>
    /// <returns>A <see cref="JournalWriteRejectedException"/> or null.</returns>
    public static Exception? Check(IReadOnlyList<PersistentRepr> events)
    {
        string persistenceId = events[0].PersistenceId;
        for (int e = 0; e < events.Count; e++)
        {
            PersistentRepr repr = events[e];
            if (!string.Equals(repr.PersistenceId, persistenceId, StringComparison.Ordinal))
            {
                return JournalWriteRejectedException.MixedIds(persistenceId);
            }

            string? problem =
                persistenceId.Length > MaxPersistenceId ? $"persistence id longer than {MaxPersistenceId} characters" :
                repr.Manifest.Length > MaxManifest ? $"manifest longer than {MaxManifest} characters" :
                repr.WriterUuid.Length > MaxWriterUuid ? $"writer uuid longer than {MaxWriterUuid} characters" :
                TagsProblem(repr.Tags);
            if (problem is not null)
            {
                return new JournalWriteRejectedException($"persistence id '{Shorten(persistenceId)}', sequence number {repr.SequenceNr}: {problem}");
            }
        }

        return null;
    }

    private static string? TagsProblem(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return null;
        }

        int length = 1;
        for (int t = 0; t < tags.Count; t++)
        {
            if (tags[t].Length == 0 || tags[t].Contains(';', StringComparison.Ordinal))
            {
                return $"tag '{tags[t]}' is empty or contains ';'";
            }

            length += tags[t].Length + 1;
        }

        return length > MaxTags ? $"tags longer than {MaxTags} characters" : null;
    }

    private static string Shorten(string persistenceId) => persistenceId.Length <= 64 ? persistenceId : persistenceId[..64] + "…";
}
