using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Fabric.Actors.Datapath.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fabric.Actors.Tests.Support;

/// <summary>Where a scenario's datapath actor journals: Akka.Persistence.TestKit's in-memory journal (with fault injection), a SQLite file, or PostgreSQL.</summary>
public abstract class ScenarioStore : IDisposable
{
    /// <summary>The in-memory <c>TestJournal</c>/<c>TestSnapshotStore</c> of Akka.Persistence.TestKit.</summary>
    public static ScenarioStore Memory() => new MemoryStore();

    /// <summary>A fresh SQLite file in a temporary directory (deleted on dispose).</summary>
    public static ScenarioStore Sqlite() => new SqliteStore();

    /// <summary>A PostgreSQL database given by its connection string.</summary>
    public static ScenarioStore PostgreSql(string connectionString) => new PostgresStore(connectionString);

    /// <summary>The persistence part of the actor system's configuration.</summary>
    public abstract Config Config { get; }

    /// <summary>True for the in-memory store, whose writes and recoveries can be made to fail.</summary>
    public virtual bool InjectsFaults => false;

    /// <summary>
    /// Stores one journal row as an older Fabric wrote it: <paramref name="payload"/> under serializer
    /// <see cref="DatapathEventSerializer.Id"/> and <paramref name="manifest"/>, for <paramref name="persistenceId"/> at
    /// <paramref name="sequenceNr"/>. SQL stores get the row itself; the in-memory store gets the deserialized event.
    /// </summary>
    public abstract Task WriteRowAsync(BridgeScenario s, string persistenceId, long sequenceNr, byte[] payload, string manifest);

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    private sealed class MemoryStore : ScenarioStore
    {
        public override Config Config { get; } = ConfigurationFactory.FromResource<TestJournal>("Akka.Persistence.TestKit.config.conf");

        public override bool InjectsFaults => true;

        public override Task WriteRowAsync(BridgeScenario s, string persistenceId, long sequenceNr, byte[] payload, string manifest)
        {
            var payloadObject = s.Sys.Serialization.Deserialize(payload, DatapathEventSerializer.Id, manifest);
            var probe = s.CreateTestProbe();
            var write = new AtomicWrite(new Persistent(payloadObject, sequenceNr, persistenceId, string.Empty, false, ActorRefs.NoSender, "old-writer"));
            Akka.Persistence.Persistence.Instance.Apply(s.Sys).JournalFor(null).Tell(new WriteMessages([write], probe.Ref, 1), probe.Ref);
            probe.ExpectMsg<WriteMessagesSuccessful>(TimeSpan.FromSeconds(10));
            probe.ExpectMsg<WriteMessageSuccess>(TimeSpan.FromSeconds(10));
            return Task.CompletedTask;
        }
    }

    private sealed class SqliteStore : ScenarioStore
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("fabric-journal-").FullName;

        public SqliteStore()
        {
            Path = System.IO.Path.Combine(_dir, "fabric.db");
            JournalStore.PrepareSqlite(Path);
            Config = JournalStore.Sqlite(Path);
        }

        public string Path { get; }

        public override Config Config { get; }

        public override async Task WriteRowAsync(BridgeScenario s, string persistenceId, long sequenceNr, byte[] payload, string manifest)
        {
            await using var connection = new SqliteConnection($"Data Source={Path}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO journal (deleted, persistence_id, sequence_number, created, message, identifier, manifest, writer_uuid) " +
                "VALUES (0, $pid, $seq, $created, $message, $id, $manifest, 'old-writer')";
            Parameters(command.Parameters.AddWithValue, persistenceId, sequenceNr, payload, manifest, "$");
            await command.ExecuteNonQueryAsync();
        }

        public override void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed class PostgresStore(string connectionString) : ScenarioStore
    {
        public override Config Config { get; } = JournalStore.PostgreSql(connectionString);

        public override async Task WriteRowAsync(BridgeScenario s, string persistenceId, long sequenceNr, byte[] payload, string manifest)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "INSERT INTO journal (deleted, persistence_id, sequence_number, created, message, identifier, manifest, writer_uuid) " +
                "VALUES (false, @pid, @seq, @created, @message, @id, @manifest, 'old-writer')",
                connection);
            Parameters((n, v) => command.Parameters.AddWithValue(n, v), persistenceId, sequenceNr, payload, manifest, "@");
            await command.ExecuteNonQueryAsync();
        }
    }

    private static void Parameters(Func<string, object, object> add, string persistenceId, long sequenceNr, byte[] payload, string manifest, string prefix)
    {
        add(prefix + "pid", persistenceId);
        add(prefix + "seq", sequenceNr);
        add(prefix + "created", DateTime.UtcNow.Ticks);
        add(prefix + "message", payload);
        add(prefix + "id", DatapathEventSerializer.Id);
        add(prefix + "manifest", manifest);
    }
}
