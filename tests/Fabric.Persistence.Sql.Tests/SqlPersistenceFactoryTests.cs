using Fabric.Kernel.Configuration;
using Fabric.Persistence.Sql.Postgres;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Persistence.Sql.Tests;

public sealed class SqlPersistenceFactoryTests
{
    private static (Kernel.Persistence.Journal.IJournal Journal, Kernel.Persistence.Snapshot.ISnapshotStore SnapshotStore) Create(string hocon) =>
        SqlPersistenceFactory.Create(ConfigurationFactory.ParseString(hocon, "fabric.conf"));

    [Fact]
    public async Task Sqlite_is_the_default_and_lives_in_the_state_dir()
    {
        var (journal, snapshots) = Create("fabric.state-dir = \"/srv/fabric\"");
        await using var j = journal;
        await using var s = snapshots;

        Assert.Equal("sqlite:/srv/fabric/fabric.db", Assert.IsType<SqliteJournal>(journal).Describe());
        Assert.Equal("sqlite:/srv/fabric/fabric.db", Assert.IsType<SqliteSnapshotStore>(snapshots).Describe());
    }

    [Fact]
    public async Task An_explicit_sqlite_path_wins_and_the_store_works()
    {
        var dir = Directory.CreateTempSubdirectory("fabric-sqlite-");
        try
        {
            var (journal, snapshots) = Create($"fabric.persistence {{ plugin = sqlite, sqlite.path = \"{dir.FullName}/x.db\", table-prefix = n1_ }}");
            await using (journal)
            await using (snapshots)
            {
                Assert.Equal($"sqlite:{dir.FullName}/x.db", ((SqliteJournal)journal).Describe());
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
        var (journal, snapshots) = Create("fabric.persistence { plugin = postgresql, postgresql.connection-string = \"Host=10.0.0.5;Port=5433;Username=fabric;Password=secret;Database=dp\" }");
        await using var j = journal;
        await using var s = snapshots;

        Assert.Equal("postgresql:10.0.0.5:5433/dp", Assert.IsType<PostgresJournal>(journal).Describe());
        Assert.Equal("postgresql:10.0.0.5:5433/dp", Assert.IsType<PostgresSnapshotStore>(snapshots).Describe());
    }

    [Theory]
    [InlineData("fabric.persistence.plugin = mysql", "fabric.persistence.plugin", "mysql")]
    [InlineData("fabric.persistence.table-prefix = \"x; DROP TABLE journal\"", "fabric.persistence.table-prefix", "DROP")]
    [InlineData("fabric.persistence.sqlite.path = \"\"", "fabric.persistence.sqlite.path", "expected a database file path")]
    [InlineData("fabric.persistence { plugin = postgresql, postgresql.connection-string = \"Hots=x\" }", "fabric.persistence.postgresql.connection-string", "invalid connection string")]
    public void Bad_values_throw_a_configuration_exception_naming_the_path(string hocon, string path, string detail)
    {
        var error = Assert.Throws<ConfigurationException>(() => Create(hocon));

        Assert.Contains(path, error.Message);
        Assert.Contains(detail, error.Message);
        Assert.StartsWith("fabric.conf:1:", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
