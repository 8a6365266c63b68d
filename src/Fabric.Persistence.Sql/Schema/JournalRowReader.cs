using System.Data.Common;
using Fabric.Kernel.Persistence;

namespace Fabric.Persistence.Sql.Schema;

/// <summary>
/// INTERNAL API. Turns one replay row into a <see cref="PersistentRepr"/>. Both stores select the journal columns in the
/// same order: sequence_number, manifest, message, created, tags, writer_uuid (nullable text columns read as empty).
/// </summary>
internal static class JournalRowReader
{
    /// <summary>The current row of <paramref name="reader"/> as an event of <paramref name="persistenceId"/>.</summary>
    public static PersistentRepr Read(DbDataReader reader, string persistenceId) => new(
        persistenceId,
        reader.GetInt64(0),
        reader.IsDBNull(1) ? string.Empty : reader.GetString(1),
        reader.GetFieldValue<byte[]>(2),
        reader.GetInt64(3),
        TagsColumn.Decode(reader.IsDBNull(4) ? null : reader.GetString(4)),
        reader.IsDBNull(5) ? string.Empty : reader.GetString(5));
}
