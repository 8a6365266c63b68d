using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Snapshot;
using Fabric.Persistence.Sql.Schema;
using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Sqlite;

/// <summary>
/// An <see cref="ISnapshotStore"/> in one SQLite file (WAL, <c>synchronous=NORMAL</c>) with Akka.Persistence.Sql's
/// <c>default</c> snapshot table (actor-semantics §6): <c>created</c> holds UTC <see cref="DateTime.Ticks"/>, a save of an
/// existing (persistence_id, sequence_number) replaces it. Saves and deletes go through one serialised connection, loads use
/// pooled connections. Failures throw a one-line <see cref="SqlStoreException"/> (<c>sqlite snapshot-store {path}: …</c>).
/// </summary>
public sealed class SqliteSnapshotStore : ISnapshotStore
{
    private readonly SqliteDatabase _database;
    private readonly TableNames _tables;

    /// <summary>Creates a snapshot store on <paramref name="path"/>; the file is opened (and created) by the first operation.</summary>
    /// <param name="path">Database file (may be the journal's); its directory must exist when the store is used.</param>
    /// <param name="tablePrefix">Prefix of the table names (see <see cref="TableNames.IsValidPrefix"/>).</param>
    /// <exception cref="ArgumentException">The path is empty or the prefix is invalid.</exception>
    public SqliteSnapshotStore(string path, string tablePrefix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _tables = TableNames.For(tablePrefix);
        _database = new SqliteDatabase(path, "sqlite snapshot-store " + path, connection => SqliteSchema.InitializeSnapshots(connection, _tables));
    }

    /// <summary>Where the snapshots live, for <c>persistence/show</c>: <c>sqlite:{path}</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => "sqlite:" + _database.Path;

    /// <summary>Opens the file and creates or migrates the table now rather than on first use.</summary>
    /// <param name="ct">Cancels the wait for the write connection.</param>
    /// <returns>A task completing when the table exists.</returns>
    /// <exception cref="SqlStoreException">The file cannot be opened or written.</exception>
    public Task InitializeAsync(CancellationToken ct = default) => _database.WriteAsync(static _ => true, ct);

    /// <inheritdoc />
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        return _database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"SELECT sequence_number, created, manifest, snapshot FROM {_tables.Snapshot} WHERE persistence_id = $pid AND " +
                    "sequence_number >= $minSeq AND sequence_number <= $maxSeq AND created >= $minTs AND created <= $maxTs " +
                    "ORDER BY sequence_number DESC LIMIT 1";
                Bind(command, persistenceId, criteria);
                using var reader = command.ExecuteReader();
                if (!reader.Read())
                {
                    return null;
                }

                var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc));
                return new SelectedSnapshot(metadata, reader.IsDBNull(2) ? string.Empty : reader.GetString(2), reader.GetFieldValue<byte[]>(3));
            },
            ct);
    }

    /// <inheritdoc />
    public Task SaveAsync(SnapshotMetadata metadata, string manifest, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(manifest);
        return _database.WriteAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"INSERT OR REPLACE INTO {_tables.Snapshot} (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) " +
                    "VALUES ($pid, $seq, $created, $snapshot, $manifest, NULL)";
                command.Parameters.AddWithValue("$pid", metadata.PersistenceId);
                command.Parameters.AddWithValue("$seq", metadata.SequenceNr);
                command.Parameters.AddWithValue("$created", Payloads.UtcTicks(metadata.Timestamp));
                command.Parameters.Add("$snapshot", SqliteType.Blob).Value = Payloads.AsArray(payload);
                command.Parameters.AddWithValue("$manifest", manifest);
                return command.ExecuteNonQuery();
            },
            ct);
    }

    /// <inheritdoc />
    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return _database.WriteAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"DELETE FROM {_tables.Snapshot} WHERE persistence_id = $pid AND sequence_number = $seq";
                command.Parameters.AddWithValue("$pid", metadata.PersistenceId);
                command.Parameters.AddWithValue("$seq", metadata.SequenceNr);
                return command.ExecuteNonQuery();
            },
            ct);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        return _database.WriteAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"DELETE FROM {_tables.Snapshot} WHERE persistence_id = $pid AND sequence_number >= $minSeq AND " +
                    "sequence_number <= $maxSeq AND created >= $minTs AND created <= $maxTs";
                Bind(command, persistenceId, criteria);
                return command.ExecuteNonQuery();
            },
            ct);
    }

    /// <summary>Closes the file.</summary>
    /// <returns>A task completing when closed.</returns>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static void Bind(SqliteCommand command, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$minSeq", criteria.MinSequenceNr);
        command.Parameters.AddWithValue("$maxSeq", criteria.MaxSequenceNr);
        command.Parameters.AddWithValue("$minTs", criteria.MinTimestamp is { } min ? Payloads.UtcTicks(min) : long.MinValue);
        command.Parameters.AddWithValue("$maxTs", criteria.MaxTimestamp is { } max ? Payloads.UtcTicks(max) : long.MaxValue);
    }
}
