using Fabric.Kernel.Persistence;
using Fabric.Persistence.Sql.Schema;

namespace Fabric.Persistence.Sql.Postgres;

/// <summary>
/// The column arrays of one group commit for the journal's <c>unnest</c> insert, the path taken when the batch's COPY hit a
/// stored (persistence_id, sequence_number): row <c>r</c> of every array is one event, in batch order (so <c>ordering</c>
/// follows it).
/// </summary>
internal sealed class PostgresJournalBatch
{
    private int _count;

    /// <summary>Allocates arrays for <paramref name="rows"/> events.</summary>
    /// <param name="rows">Number of events to be added.</param>
    public PostgresJournalBatch(int rows)
    {
        PersistenceIds = new string[rows];
        SequenceNrs = new long[rows];
        Created = new long[rows];
        Tags = new string?[rows];
        Messages = new byte[rows][];
        Manifests = new string[rows];
        WriterUuids = new string[rows];
    }

    /// <summary>Events added so far.</summary>
    public int Count => _count;

    /// <summary>persistence_id column.</summary>
    public string[] PersistenceIds { get; }

    /// <summary>sequence_number column.</summary>
    public long[] SequenceNrs { get; }

    /// <summary>created column (UTC ticks).</summary>
    public long[] Created { get; }

    /// <summary>tags column (CSV or null).</summary>
    public string?[] Tags { get; }

    /// <summary>message column.</summary>
    public byte[][] Messages { get; }

    /// <summary>manifest column.</summary>
    public string[] Manifests { get; }

    /// <summary>writer_uuid column.</summary>
    public string[] WriterUuids { get; }

    /// <summary>Appends the events of one AtomicWrite.</summary>
    /// <param name="events">Events, already checked by <see cref="JournalRowCheck"/>.</param>
    public void Add(IReadOnlyList<PersistentRepr> events)
    {
        for (int e = 0; e < events.Count; e++)
        {
            PersistentRepr repr = events[e];
            PersistenceIds[_count] = repr.PersistenceId;
            SequenceNrs[_count] = repr.SequenceNr;
            Created[_count] = repr.Timestamp;
            Tags[_count] = TagsColumn.Encode(repr.Tags);
            Messages[_count] = Payloads.AsArray(repr.Payload);
            Manifests[_count] = repr.Manifest;
            WriterUuids[_count] = repr.WriterUuid;
            _count++;
        }
    }
}
