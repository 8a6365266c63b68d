using Npgsql;

namespace Fabric.Persistence.Sql.Schema;

/// <summary>
/// PostgreSQL DDL for Akka.Persistence.Sql's <c>default</c> table mapping (actor-semantics §6: bigserial ordering, bytea
/// payloads, bigint ticks) and the migration of tables written by older schema versions (missing <c>tags</c>,
/// <c>identifier</c>, <c>writer_uuid</c>, <c>serializer_id</c> columns are added). Runs under a transaction-scoped advisory
/// lock so that several nodes starting at once do not race on CREATE TABLE.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Advisory-lock key serialising schema changes of all Fabric stores in a database.</summary>
    private const long SchemaLockKey = 0x46616272_69635351; // "FabricSQ"

    /// <summary>Creates or migrates the journal and journal_metadata tables.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="tables">Table names.</param>
    /// <param name="ct">Cancels the statements.</param>
    /// <returns>A task completing when the tables exist.</returns>
    public static Task InitializeJournalAsync(NpgsqlConnection connection, TableNames tables, CancellationToken ct) =>
        ExecuteLockedAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {tables.Journal} (
              ordering BIGSERIAL NOT NULL PRIMARY KEY,
              deleted BOOLEAN NOT NULL DEFAULT FALSE,
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number BIGINT NOT NULL,
              created BIGINT NOT NULL,
              tags VARCHAR(100) NULL,
              message BYTEA NOT NULL,
              identifier INTEGER NULL,
              manifest VARCHAR(500) NOT NULL DEFAULT '',
              writer_uuid VARCHAR(128) NULL,
              CONSTRAINT ux_{tables.Journal}_pid_seqno UNIQUE (persistence_id, sequence_number));
            ALTER TABLE {tables.Journal} ADD COLUMN IF NOT EXISTS tags VARCHAR(100) NULL;
            ALTER TABLE {tables.Journal} ADD COLUMN IF NOT EXISTS identifier INTEGER NULL;
            ALTER TABLE {tables.Journal} ADD COLUMN IF NOT EXISTS writer_uuid VARCHAR(128) NULL;
            CREATE TABLE IF NOT EXISTS {tables.Metadata} (
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number BIGINT NOT NULL,
              PRIMARY KEY (persistence_id, sequence_number));
            """, ct);

    /// <summary>Creates or migrates the snapshot table.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="tables">Table names.</param>
    /// <param name="ct">Cancels the statements.</param>
    /// <returns>A task completing when the table exists.</returns>
    public static Task InitializeSnapshotsAsync(NpgsqlConnection connection, TableNames tables, CancellationToken ct) =>
        ExecuteLockedAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {tables.Snapshot} (
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number BIGINT NOT NULL,
              created BIGINT NOT NULL,
              snapshot BYTEA NOT NULL,
              manifest VARCHAR(500) NOT NULL DEFAULT '',
              serializer_id INTEGER NULL,
              PRIMARY KEY (persistence_id, sequence_number));
            ALTER TABLE {tables.Snapshot} ADD COLUMN IF NOT EXISTS serializer_id INTEGER NULL;
            """, ct);

    private static async Task ExecuteLockedAsync(NpgsqlConnection connection, string ddl, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey}); {ddl}", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }
}
