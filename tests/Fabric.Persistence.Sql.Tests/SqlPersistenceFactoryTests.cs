using Fabric.Persistence.Sql.Postgres;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Persistence.Sql.Tests;

public sealed class SqlPersistenceFactoryTests
{
    [Fact]
    public async Task A_sqlite_store_lives_in_the_given_file_and_works()
    {
        var dir = Directory.CreateTempSubdirectory("fabric-sqlite-");
        try
        {
            var (journal, snapshots) = SqlPersistenceFactory.CreateSqlite($"{dir.FullName}/x.db");
            await using (journal)
            await using (snapshots)
            {
                Assert.Equal($"sqlite:{dir.FullName}/x.db", Assert.IsType<SqliteJournal>(journal).Describe());
                Assert.Equal($"sqlite:{dir.FullName}/x.db", Assert.IsType<SqliteSnapshotStore>(snapshots).Describe());
                Assert.All(await journal.WriteMessagesAsync([TestEvents.Write("f", 1)]), r => Assert.Null(r));
                Assert.Equal(1, await journal.ReadHighestSequenceNrAsync("f", 0));
            }

            Assert.True(File.Exists(Path.Combine(dir.FullName, "x.db")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Postgresql_uses_the_connection_string()
    {
        var (journal, snapshots) = SqlPersistenceFactory.CreatePostgres("Host=10.0.0.5;Port=5433;Username=fabric;Password=secret;Database=dp");
        await using var j = journal;
        await using var s = snapshots;

        Assert.Equal("postgresql:10.0.0.5:5433/dp", Assert.IsType<PostgresJournal>(journal).Describe());
        Assert.Equal("postgresql:10.0.0.5:5433/dp", Assert.IsType<PostgresSnapshotStore>(snapshots).Describe());
    }
}
