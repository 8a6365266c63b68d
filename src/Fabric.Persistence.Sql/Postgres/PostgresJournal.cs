using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;
using Fabric.Persistence.Sql.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Fabric.Persistence.Sql.Postgres;

/// <summary>
/// An <see cref="IJournal"/> in PostgreSQL (for clustered nodes, DESIGN.md "Persistence") with Akka.Persistence.Sql's
/// <c>default</c> journal and journal_metadata tables (actor-semantics §6), created on first use. A
/// <see cref="WriteMessagesAsync"/> call is one binary <c>COPY journal FROM STDIN</c> — one statement for the whole group
/// commit, atomic on its own, about twice the rate of a multi-row <c>INSERT … SELECT FROM unnest(arrays)</c>. When any row
/// collides with a stored (persistence_id, sequence_number) the COPY fails whole with a unique violation and the batch is
/// redone in one transaction as an <c>unnest</c> INSERT with <c>ON CONFLICT DO NOTHING RETURNING</c>: a write of which any
/// event collided is rejected and its other rows removed again in the same transaction, so a rejection never stores part of
/// an AtomicWrite and never fails the rest of the batch. Deletes remove rows and record the
/// highest sequence number in journal_metadata. Failures throw a one-line <see cref="SqlStoreException"/>, e.g.
/// <c>postgresql journal 127.0.0.1:5432/fabric: Failed to connect to 127.0.0.1:5432: Connection refused</c>.
/// </summary>
public sealed class PostgresJournal : IJournal
{
    private readonly PostgresDatabase _database;
    private readonly TableNames _tables;
    private readonly string _copySql;
    private readonly string _insertReturningSql;
    private readonly string _undoSql;

    /// <summary>Creates a journal on the database of <paramref name="connectionString"/>; nothing is contacted yet.</summary>
    /// <param name="connectionString">Npgsql connection string, e.g. "Host=127.0.0.1;Port=5432;Username=postgres;Database=fabric".</param>
    /// <param name="tablePrefix">Prefix of the table names (see <see cref="TableNames.IsValidPrefix"/>).</param>
    /// <exception cref="ArgumentException">The connection string is malformed or the prefix is invalid.</exception>
    public PostgresJournal(string connectionString, string tablePrefix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _tables = TableNames.For(tablePrefix);
        _database = new PostgresDatabase(connectionString, "postgresql journal", (connection, ct) => PostgresSchema.InitializeJournalAsync(connection, _tables, ct));
        const string Columns = "(persistence_id, sequence_number, created, tags, message, manifest, writer_uuid)";
        _copySql = $"COPY {_tables.Journal} {Columns} FROM STDIN (FORMAT BINARY)";
        _insertReturningSql =
            $"INSERT INTO {_tables.Journal} {Columns} " +
            "SELECT * FROM unnest(@pid, @seq, @created, @tags, @message, @manifest, @writer) " +
            "ON CONFLICT (persistence_id, sequence_number) DO NOTHING RETURNING persistence_id, sequence_number";
        _undoSql = $"DELETE FROM {_tables.Journal} WHERE (persistence_id, sequence_number) IN (SELECT * FROM unnest(@pid, @seq))";
    }

    /// <summary>Where the events live, for <c>persistence/show</c>: <c>postgresql:{host}:{port}/{database}</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => "postgresql:" + _database.Target;

    /// <summary>Connects and creates or migrates the tables now rather than on first use.</summary>
    /// <param name="ct">Cancels the work.</param>
    /// <returns>A task completing when the tables exist.</returns>
    /// <exception cref="SqlStoreException">The server cannot be reached.</exception>
    public Task InitializeAsync(CancellationToken ct = default) => _database.RunAsync(static (_, _) => Task.FromResult(true), ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new Exception?[writes.Count];
        int rows = 0;
        for (int i = 0; i < writes.Count; i++)
        {
            IReadOnlyList<PersistentRepr> events = writes[i].Payload;
            if (events.Count > 0)
            {
                results[i] = JournalRowCheck.Check(events);
                rows += results[i] is null ? events.Count : 0;
            }
        }

        if (rows == 0)
        {
            return results;
        }

        return await _database.RunAsync((connection, token) => WriteAsync(connection, writes, results, rows, token), ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<PersistentRepr> recoveryCallback, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(recoveryCallback);
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return Task.CompletedTask;
        }

        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT sequence_number, manifest, message, created, tags, writer_uuid FROM {_tables.Journal} " +
                    "WHERE persistence_id = @pid AND NOT deleted AND sequence_number >= @from AND sequence_number <= @to " +
                    "ORDER BY sequence_number LIMIT @max",
                    connection);
                command.Parameters.Add(new NpgsqlParameter<string>("pid", persistenceId));
                command.Parameters.Add(new NpgsqlParameter<long>("from", fromSequenceNr));
                command.Parameters.Add(new NpgsqlParameter<long>("to", toSequenceNr));
                command.Parameters.Add(new NpgsqlParameter<long>("max", max));
                await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    recoveryCallback(JournalRowReader.Read(reader, persistenceId));
                }

                return true;
            },
            ct);
    }

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT GREATEST((SELECT MAX(sequence_number) FROM {_tables.Journal} WHERE persistence_id = @pid), " +
                    $"(SELECT MAX(sequence_number) FROM {_tables.Metadata} WHERE persistence_id = @pid))",
                    connection);
                command.Parameters.Add(new NpgsqlParameter<string>("pid", persistenceId));
                return await command.ExecuteScalarAsync(token).ConfigureAwait(false) is long highest ? highest : 0L;
            },
            ct);
    }

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        return _database.RunAsync(
            async (connection, token) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await using (var command = new NpgsqlCommand(
                    $"INSERT INTO {_tables.Metadata} (persistence_id, sequence_number) SELECT persistence_id, MAX(sequence_number) " +
                    $"FROM {_tables.Journal} WHERE persistence_id = @pid GROUP BY persistence_id ON CONFLICT DO NOTHING; " +
                    $"DELETE FROM {_tables.Journal} WHERE persistence_id = @pid AND sequence_number <= @to; " +
                    $"DELETE FROM {_tables.Metadata} WHERE persistence_id = @pid AND sequence_number < " +
                    $"(SELECT MAX(sequence_number) FROM {_tables.Metadata} WHERE persistence_id = @pid);",
                    connection,
                    transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<string>("pid", persistenceId));
                    command.Parameters.Add(new NpgsqlParameter<long>("to", toSequenceNr));
                    await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }

                await transaction.CommitAsync(token).ConfigureAwait(false);
                return true;
            },
            ct);
    }

    /// <summary>Closes the connection pool.</summary>
    /// <returns>A task completing when closed.</returns>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<IReadOnlyList<Exception?>> WriteAsync(NpgsqlConnection connection, IReadOnlyList<AtomicWrite> writes, Exception?[] results, int rows, CancellationToken ct)
    {
        // Fast path (no duplicate, the normal case): one COPY; a collision aborts it whole, so nothing of it is stored.
        try
        {
            await CopyAsync(connection, writes, results, ct).ConfigureAwait(false);
            return results;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Falls through to the path that finds out which writes collided.
        }

        var batch = new PostgresJournalBatch(rows);
        for (int i = 0; i < writes.Count; i++)
        {
            if (results[i] is null)
            {
                batch.Add(writes[i].Payload);
            }
        }

        // Redo it, learning which rows went in, and reject (and undo) the writes that did not go in whole.
        await using (var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            var stored = new HashSet<(string, long)>();
            await using (var insert = InsertCommand(_insertReturningSql, connection, transaction, batch))
            await using (var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    stored.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            await RejectCollidedWritesAsync(connection, transaction, writes, results, stored, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }

        return results;
    }

    private async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<AtomicWrite> writes, Exception?[] results, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync(_copySql, ct).ConfigureAwait(false);
        for (int i = 0; i < writes.Count; i++)
        {
            if (results[i] is not null)
            {
                continue;
            }

            IReadOnlyList<PersistentRepr> events = writes[i].Payload;
            for (int e = 0; e < events.Count; e++)
            {
                PersistentRepr repr = events[e];
                await importer.StartRowAsync(ct).ConfigureAwait(false);
                await importer.WriteAsync(repr.PersistenceId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await importer.WriteAsync(repr.SequenceNr, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await importer.WriteAsync(repr.Timestamp, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                if (TagsColumn.Encode(repr.Tags) is { } tags)
                {
                    await importer.WriteAsync(tags, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                }
                else
                {
                    await importer.WriteNullAsync(ct).ConfigureAwait(false);
                }

                await importer.WriteAsync(repr.Payload, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                await importer.WriteAsync(repr.Manifest, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await importer.WriteAsync(repr.WriterUuid, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            }
        }

        await importer.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static NpgsqlCommand InsertCommand(string sql, NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresJournalBatch batch)
    {
        var insert = new NpgsqlCommand(sql, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<string[]>("pid", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.PersistenceIds });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.SequenceNrs });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("created", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.Created });
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("tags", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.Tags });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]>("message", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = batch.Messages });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("manifest", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.Manifests });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("writer", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.WriterUuids });
        return insert;
    }

    private async Task RejectCollidedWritesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AtomicWrite> writes, Exception?[] results, HashSet<(string, long)> stored, CancellationToken ct)
    {
        var undoIds = new List<string>();
        var undoSeqs = new List<long>();
        for (int i = 0; i < writes.Count; i++)
        {
            IReadOnlyList<PersistentRepr> events = writes[i].Payload;
            if (results[i] is not null || events.Count == 0)
            {
                continue;
            }

            int claimed = 0;
            int undoStart = undoIds.Count;
            foreach (PersistentRepr repr in events)
            {
                if (stored.Remove((repr.PersistenceId, repr.SequenceNr)))
                {
                    claimed++;
                    undoIds.Add(repr.PersistenceId);
                    undoSeqs.Add(repr.SequenceNr);
                }
            }

            if (claimed == events.Count)
            {
                undoIds.RemoveRange(undoStart, claimed);
                undoSeqs.RemoveRange(undoStart, claimed);
                continue;
            }

            results[i] = JournalWriteRejectedException.Duplicate(events[0].PersistenceId, events[0].SequenceNr);
        }

        if (undoIds.Count == 0)
        {
            return;
        }

        // Only rows this statement inserted can be claimed, so the undo removes nothing that was stored before.
        await using var undo = new NpgsqlCommand(_undoSql, connection, transaction);
        undo.Parameters.Add(new NpgsqlParameter<string[]>("pid", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. undoIds] });
        undo.Parameters.Add(new NpgsqlParameter<long[]>("seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. undoSeqs] });
        await undo.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
