using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;
using Fabric.Persistence.Sql.Schema;
using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Sqlite;

/// <summary>
/// An <see cref="IJournal"/> in one SQLite file (WAL, <c>synchronous=NORMAL</c>) with Akka.Persistence.Sql's <c>default</c>
/// journal and journal_metadata tables (actor-semantics §6), created on open (<c>auto-initialize</c>). A
/// <see cref="WriteMessagesAsync"/> call is one transaction with prepared, reused statements — the group commit — and a
/// duplicate (persistence_id, sequence_number) rejects only its AtomicWrite. Deletes remove rows and record the highest
/// sequence number in journal_metadata, so <see cref="ReadHighestSequenceNrAsync"/> survives them. Writes go through one
/// serialised connection; reads use their own pooled connections. Failures throw a one-line <see cref="SqlStoreException"/>,
/// e.g. <c>sqlite journal /var/lib/fabric/fabric.db: unable to open database file</c>; the file is (re)opened lazily, so the
/// journal works again once the file is reachable.
/// </summary>
public sealed class SqliteJournal : IJournal
{
    private readonly SqliteDatabase _database;
    private readonly TableNames _tables;
    private SqliteJournalCommands? _commands;

    /// <summary>Creates a journal on <paramref name="path"/>; the file is opened (and created) by the first operation.</summary>
    /// <param name="path">Database file; its directory must exist when the journal is used.</param>
    /// <param name="tablePrefix">Prefix of the table names (see <see cref="TableNames.IsValidPrefix"/>).</param>
    /// <exception cref="ArgumentException">The path is empty or the prefix is invalid.</exception>
    public SqliteJournal(string path, string tablePrefix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _tables = TableNames.For(tablePrefix);
        _database = new SqliteDatabase(path, "sqlite journal " + path, connection => SqliteSchema.InitializeJournal(connection, _tables));
    }

    /// <summary>Where the events live, for <c>persistence/show</c>: <c>sqlite:{path}</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => "sqlite:" + _database.Path;

    /// <summary>Opens the file and creates or migrates the tables now rather than on first use.</summary>
    /// <param name="ct">Cancels the wait for the write connection.</param>
    /// <returns>A task completing when the tables exist.</returns>
    /// <exception cref="SqlStoreException">The file cannot be opened or written.</exception>
    public Task InitializeAsync(CancellationToken ct = default) => _database.WriteAsync(static _ => true, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        return _database.WriteAsync(connection => Write(connection, writes), ct);
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

        return _database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"SELECT sequence_number, manifest, message, created, tags, writer_uuid FROM {_tables.Journal} " +
                    "WHERE persistence_id = $pid AND deleted = 0 AND sequence_number >= $from AND sequence_number <= $to " +
                    "ORDER BY sequence_number LIMIT $max";
                command.Parameters.AddWithValue("$pid", persistenceId);
                command.Parameters.AddWithValue("$from", fromSequenceNr);
                command.Parameters.AddWithValue("$to", toSequenceNr);
                command.Parameters.AddWithValue("$max", max);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    ct.ThrowIfCancellationRequested();
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
        return _database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"SELECT MAX(seq) FROM (SELECT MAX(sequence_number) AS seq FROM {_tables.Journal} WHERE persistence_id = $pid " +
                    $"UNION ALL SELECT MAX(sequence_number) FROM {_tables.Metadata} WHERE persistence_id = $pid)";
                command.Parameters.AddWithValue("$pid", persistenceId);
                return command.ExecuteScalar() is long highest ? highest : 0L;
            },
            ct);
    }

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        return _database.WriteAsync(
            connection =>
            {
                using var transaction = connection.BeginTransaction();
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText =
                    $"INSERT OR IGNORE INTO {_tables.Metadata} (persistence_id, sequence_number) " +
                    $"SELECT persistence_id, MAX(sequence_number) FROM {_tables.Journal} WHERE persistence_id = $pid GROUP BY persistence_id; " +
                    $"DELETE FROM {_tables.Journal} WHERE persistence_id = $pid AND sequence_number <= $to; " +
                    $"DELETE FROM {_tables.Metadata} WHERE persistence_id = $pid AND sequence_number < " +
                    $"(SELECT MAX(sequence_number) FROM {_tables.Metadata} WHERE persistence_id = $pid);";
                command.Parameters.AddWithValue("$pid", persistenceId);
                command.Parameters.AddWithValue("$to", toSequenceNr);
                command.ExecuteNonQuery();
                transaction.Commit();
                return true;
            },
            ct);
    }

    /// <summary>Closes the file.</summary>
    /// <returns>A task completing when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        // The database waits for a running write to finish and refuses new ones, so the statements are idle afterwards.
        await _database.DisposeAsync().ConfigureAwait(false);
        _commands?.Dispose();
        _commands = null;
    }

    private IReadOnlyList<Exception?> Write(SqliteConnection connection, IReadOnlyList<AtomicWrite> writes)
    {
        var results = new Exception?[writes.Count];
        if (writes.Count == 0)
        {
            return results;
        }

        if (_commands is null || !ReferenceEquals(_commands.Connection, connection))
        {
            _commands?.Dispose();
            _commands = new SqliteJournalCommands(connection, _tables);
        }

        SqliteJournalCommands commands = _commands;
        using var transaction = connection.BeginTransaction();
        commands.Enlist(transaction);
        for (int i = 0; i < writes.Count; i++)
        {
            IReadOnlyList<PersistentRepr> events = writes[i].Payload;
            if (events.Count == 0)
            {
                continue;
            }

            string persistenceId = events[0].PersistenceId;
            if (JournalRowCheck.Check(events) is { } rejection)
            {
                results[i] = rejection;
                continue;
            }

            if (events.Count == 1)
            {
                if (!commands.Insert(events[0]))
                {
                    results[i] = JournalWriteRejectedException.Duplicate(persistenceId, events[0].SequenceNr);
                }

                continue;
            }

            commands.Savepoint();
            bool stored = true;
            for (int e = 0; e < events.Count && stored; e++)
            {
                stored = commands.Insert(events[e]);
            }

            if (stored)
            {
                commands.ReleaseSavepoint();
            }
            else
            {
                commands.RollbackSavepoint();
                results[i] = JournalWriteRejectedException.Duplicate(persistenceId, events[0].SequenceNr);
            }
        }

        transaction.Commit();
        return results;
    }
}
