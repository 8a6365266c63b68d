using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;

namespace Fabric.Host.Tests.Configuration;

/// <summary><c>fabric.persistence</c> is read into <see cref="PersistenceSettings"/> by the loader, with positioned errors.</summary>
public sealed class PersistenceSettingsTests
{
    private static PersistenceSettings Load(string hocon) =>
        NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf")).Persistence;

    private static ConfigException Fails(string hocon) =>
        Assert.Throws<ConfigException>(() => Load(hocon));

    [Fact]
    public void Sqlite_in_the_state_dir_is_the_default()
    {
        var p = Load("fabric.state-dir = \"/srv/fabric\"");

        Assert.Equal(PersistencePlugin.Sqlite, p.Plugin);
        Assert.Equal("/srv/fabric/fabric.db", p.SqlitePath);
        Assert.Equal("Host=127.0.0.1;Port=5432;Username=postgres;Database=fabric", p.PostgresConnectionString);
        Assert.Equal(10_000, p.SnapshotEvery);
    }

    [Fact]
    public void An_explicit_sqlite_path_wins()
    {
        var p = Load("fabric.state-dir = \"/srv/fabric\"\nfabric.persistence { sqlite.path = \"/data/x.db\", snapshot-every = 50 }");

        Assert.Equal("/data/x.db", p.SqlitePath);
        Assert.Equal(50, p.SnapshotEvery);
    }

    [Fact]
    public void Postgresql_takes_the_connection_string_as_written()
    {
        var p = Load("fabric.persistence { plugin = postgresql, postgresql.connection-string = \"Host=10.0.0.5;Port=5433;Username=fabric;Password=secret;Database=dp\" }");

        Assert.Equal(PersistencePlugin.PostgreSql, p.Plugin);
        Assert.Equal("Host=10.0.0.5;Port=5433;Username=fabric;Password=secret;Database=dp", p.PostgresConnectionString);
    }

    [Theory]
    [InlineData("fabric.persistence.plugin = mysql", "fabric.conf:1:29: fabric.persistence.plugin: 'mysql' is not one of: sqlite, postgresql")]
    [InlineData("fabric.persistence.sqlite.path = \"\"", "fabric.conf:1:34: fabric.persistence.sqlite.path: expected a database file path, got ''")]
    [InlineData("fabric.persistence.sqlite.path = \"/var/lib/\"", "fabric.conf:1:34: fabric.persistence.sqlite.path: expected a database file path, got '/var/lib/'")]
    [InlineData("fabric.persistence.snapshot-every = 0", "fabric.conf:1:37: fabric.persistence.snapshot-every: 0 is outside 1..2147483647")]
    public void Bad_values_are_one_positioned_line(string hocon, string expected)
    {
        Assert.Equal(expected, Fails(hocon).Message);
    }

    [Theory]
    [InlineData("Hots=x", "unknown keyword 'hots'")]
    [InlineData("Host=db;Port=abc", "bad value for 'port': The input string 'abc'")]
    [InlineData("Host=db;Port=-1", "bad value for 'port': value ('-1')")]
    [InlineData("Host=db;Pooling=maybe", "bad value for 'pooling': String 'maybe'")]
    [InlineData("Host=db;=x", "Format of the initialization string does not conform to specification starting at index 8")]
    [InlineData("Host=\"db", "Format of the initialization string does not conform to specification starting at index 0")]
    public void An_invalid_postgresql_connection_string_is_a_positioned_error(string connectionString, string problemStart)
    {
        var e = Fails($"fabric.persistence {{ plugin = postgresql\n  postgresql.connection-string = \"{connectionString.Replace("\"", "\\\"", StringComparison.Ordinal)}\" }}");

        Assert.StartsWith("fabric.conf:2:34: fabric.persistence.postgresql.connection-string: invalid connection string: " + problemStart, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
