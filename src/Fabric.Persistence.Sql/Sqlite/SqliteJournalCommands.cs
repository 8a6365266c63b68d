using Fabric.Kernel.Persistence;
using Fabric.Persistence.Sql.Schema;
using Microsoft.Data.Sqlite;

namespace Fabric.Persistence.Sql.Sqlite;

/// <summary>
/// The journal's prepared write statements on one write connection, reused for every event of every batch: an
/// <c>INSERT OR IGNORE</c> (0 rows changed = duplicate (persistence_id, sequence_number)) and SAVEPOINT / ROLLBACK TO /
/// RELEASE that make a multi-event AtomicWrite all-or-nothing inside the batch transaction.
/// </summary>
internal sealed class SqliteJournalCommands : IDisposable
{
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand _releaseSavepoint;
    private readonly SqliteParameter _persistenceId;
    private readonly SqliteParameter _sequenceNr;
    private readonly SqliteParameter _created;
    private readonly SqliteParameter _tags;
    private readonly SqliteParameter _message;
    private readonly SqliteParameter _manifest;
    private readonly SqliteParameter _writerUuid;

    /// <summary>Prepares the statements on <paramref name="connection"/>.</summary>
    /// <param name="connection">The open write connection.</param>
    /// <param name="tables">Table names.</param>
    public SqliteJournalCommands(SqliteConnection connection, TableNames tables)
    {
        Connection = connection;
        _insert = connection.CreateCommand();
        _insert.CommandText =
            $"INSERT OR IGNORE INTO {tables.Journal} (deleted, persistence_id, sequence_number, created, tags, message, identifier, manifest, writer_uuid) " +
            "VALUES (0, $pid, $seq, $created, $tags, $message, NULL, $manifest, $writer)";
        _persistenceId = _insert.Parameters.Add("$pid", SqliteType.Text);
        _sequenceNr = _insert.Parameters.Add("$seq", SqliteType.Integer);
        _created = _insert.Parameters.Add("$created", SqliteType.Integer);
        _tags = _insert.Parameters.Add("$tags", SqliteType.Text);
        _message = _insert.Parameters.Add("$message", SqliteType.Blob);
        _manifest = _insert.Parameters.Add("$manifest", SqliteType.Text);
        _writerUuid = _insert.Parameters.Add("$writer", SqliteType.Text);
        _savepoint = Command(connection, "SAVEPOINT atomic_write");
        _rollbackToSavepoint = Command(connection, "ROLLBACK TO atomic_write");
        _releaseSavepoint = Command(connection, "RELEASE atomic_write");
    }

    /// <summary>The connection the statements belong to.</summary>
    public SqliteConnection Connection { get; }

    /// <summary>Enlists every statement in <paramref name="transaction"/> (Microsoft.Data.Sqlite requires it).</summary>
    /// <param name="transaction">The batch transaction.</param>
    public void Enlist(SqliteTransaction transaction)
    {
        _insert.Transaction = transaction;
        _savepoint.Transaction = transaction;
        _rollbackToSavepoint.Transaction = transaction;
        _releaseSavepoint.Transaction = transaction;
    }

    /// <summary>Inserts one event.</summary>
    /// <param name="repr">The event.</param>
    /// <returns>False when (persistence_id, sequence_number) was already stored (nothing inserted).</returns>
    public bool Insert(PersistentRepr repr)
    {
        _persistenceId.Value = repr.PersistenceId;
        _sequenceNr.Value = repr.SequenceNr;
        _created.Value = repr.Timestamp;
        _tags.Value = (object?)TagsColumn.Encode(repr.Tags) ?? DBNull.Value;
        _message.Value = Payloads.AsArray(repr.Payload);
        _manifest.Value = repr.Manifest;
        _writerUuid.Value = repr.WriterUuid;
        return _insert.ExecuteNonQuery() == 1;
    }

    /// <summary>Starts the savepoint of one AtomicWrite.</summary>
    public void Savepoint() => _savepoint.ExecuteNonQuery();

    /// <summary>Undoes everything since <see cref="Savepoint"/> and ends it.</summary>
    public void RollbackSavepoint()
    {
        _rollbackToSavepoint.ExecuteNonQuery();
        _releaseSavepoint.ExecuteNonQuery();
    }

    /// <summary>Keeps everything since <see cref="Savepoint"/> and ends it.</summary>
    public void ReleaseSavepoint() => _releaseSavepoint.ExecuteNonQuery();

    /// <summary>Disposes the statements.</summary>
    public void Dispose()
    {
        _insert.Dispose();
        _savepoint.Dispose();
        _rollbackToSavepoint.Dispose();
        _releaseSavepoint.Dispose();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
