using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Snapshot;
using Fabric.Persistence.Sql.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Fabric.Persistence.Sql.Postgres;

/// <summary>
/// An <see cref="ISnapshotStore"/> in PostgreSQL with Akka.Persistence.Sql's <c>default</c> snapshot table
/// (actor-semantics §6): bytea payload, <c>created</c> in UTC <see cref="DateTime.Ticks"/>, a save of an existing
/// (persistence_id, sequence_number) replaces it (<c>ON CONFLICT DO UPDATE</c>). Failures throw a one-line
/// <see cref="SqlStoreException"/> (<c>postgresql snapshot-store host:port/db: …</c>).
/// </summary>
public sealed class PostgresSnapshotStore : ISnapshotStore
{
    private readonly PostgresDatabase _database;
    private readonly TableNames _tables;

    /// <summary>Creates a snapshot store on the database of <paramref name="connectionString"/>; nothing is contacted yet.</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="tablePrefix">Prefix of the table names (see <see cref="TableNames.IsValidPrefix"/>).</param>
    /// <exception cref="ArgumentException">The connection string is malformed or the prefix is invalid.</exception>
    public PostgresSnapshotStore(string connectionString, string tablePrefix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _tables = TableNames.For(tablePrefix);
        _database = new PostgresDatabase(connectionString, "postgresql snapshot-store", (connection, ct) => PostgresSchema.InitializeSnapshotsAsync(connection, _tables, ct));
    }

    /// <summary>Where the snapshots live, for <c>persistence/show</c>: <c>postgresql:{host}:{port}/{database}</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => "postgresql:" + _database.Target;

    /// <summary>Connects and creates or migrates the table now rather than on first use.</summary>
    /// <param name="ct">Cancels the work.</param>
    /// <returns>A task completing when the table exists.</returns>
    /// <exception cref="SqlStoreException">The server cannot be reached.</exception>
    public Task InitializeAsync(CancellationToken ct = default) => _database.RunAsync(static (_, _) => Task.FromResult(true), ct);

    /// <inheritdoc />
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT sequence_number, created, manifest, snapshot FROM {_tables.Snapshot} WHERE persistence_id = @pid AND " +
                    "sequence_number >= @minSeq AND sequence_number <= @maxSeq AND created >= @minTs AND created <= @maxTs " +
                    "ORDER BY sequence_number DESC LIMIT 1",
                    connection);
                Bind(command, persistenceId, criteria);
                await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                if (!await reader.ReadAsync(token).ConfigureAwait(false))
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
        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(
                    $"INSERT INTO {_tables.Snapshot} (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) " +
                    "VALUES (@pid, @seq, @created, @snapshot, @manifest, NULL) ON CONFLICT (persistence_id, sequence_number) DO UPDATE SET " +
                    "created = EXCLUDED.created, snapshot = EXCLUDED.snapshot, manifest = EXCLUDED.manifest, serializer_id = EXCLUDED.serializer_id",
                    connection);
                command.Parameters.Add(new NpgsqlParameter<string>("pid", metadata.PersistenceId));
                command.Parameters.Add(new NpgsqlParameter<long>("seq", metadata.SequenceNr));
                command.Parameters.Add(new NpgsqlParameter<long>("created", Payloads.UtcTicks(metadata.Timestamp)));
                command.Parameters.Add(new NpgsqlParameter<byte[]>("snapshot", NpgsqlDbType.Bytea) { TypedValue = Payloads.AsArray(payload) });
                command.Parameters.Add(new NpgsqlParameter<string>("manifest", manifest));
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            ct);
    }

    /// <inheritdoc />
    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand($"DELETE FROM {_tables.Snapshot} WHERE persistence_id = @pid AND sequence_number = @seq", connection);
                command.Parameters.Add(new NpgsqlParameter<string>("pid", metadata.PersistenceId));
                command.Parameters.Add(new NpgsqlParameter<long>("seq", metadata.SequenceNr));
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            ct);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(
                    $"DELETE FROM {_tables.Snapshot} WHERE persistence_id = @pid AND sequence_number >= @minSeq AND " +
                    "sequence_number <= @maxSeq AND created >= @minTs AND created <= @maxTs",
                    connection);
                Bind(command, persistenceId, criteria);
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            ct);
    }

    /// <summary>Closes the connection pool.</summary>
    /// <returns>A task completing when closed.</returns>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static void Bind(NpgsqlCommand command, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        command.Parameters.Add(new NpgsqlParameter<string>("pid", persistenceId));
        command.Parameters.Add(new NpgsqlParameter<long>("minSeq", criteria.MinSequenceNr));
        command.Parameters.Add(new NpgsqlParameter<long>("maxSeq", criteria.MaxSequenceNr));
        command.Parameters.Add(new NpgsqlParameter<long>("minTs", criteria.MinTimestamp is { } min ? Payloads.UtcTicks(min) : long.MinValue));
        command.Parameters.Add(new NpgsqlParameter<long>("maxTs", criteria.MaxTimestamp is { } max ? Payloads.UtcTicks(max) : long.MaxValue));
    }
}
