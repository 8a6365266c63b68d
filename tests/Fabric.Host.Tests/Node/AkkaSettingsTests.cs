using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Fabric.Actors.Cluster;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Fabric.Host.Node;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Tests.Node;

/// <summary>The configuration a node hands Akka.NET: the user's akka section on top, Fabric's journal, serializers and strictness underneath.</summary>
public sealed class AkkaSettingsTests
{
    private static NodeSettings Load(string hocon) => NodeSettingsLoader.FromConfig(ConfigReader.ParseString(hocon, "fabric.conf"));

    [Fact]
    public void The_files_akka_section_overrides_fabrics_defaults_and_the_journal_follows_the_persistence_settings()
    {
        var config = AkkaSettings.For(Load("fabric.state-dir = \"/tmp/fab\"\nakka { loglevel = DEBUG, actor.default-dispatcher.throughput = 7 }"), LogLevel.Warning);
        Assert.Equal("DEBUG", config.GetString("akka.loglevel"));
        Assert.Equal(7, config.GetInt("akka.actor.default-dispatcher.throughput"));
        Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal(JournalStore.SqliteProvider, config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Contains("Data Source=/tmp/fab/fabric.db;", config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(1, config.GetInt("akka.persistence.journal.sql.parallelism"));
        Assert.False(config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));

        var pg = AkkaSettings.For(Load("fabric.persistence { plugin = postgresql, postgresql.connection-string = \"Host=10.0.0.5;Database=fab\" }"), LogLevel.Information);
        Assert.Equal(JournalStore.PostgresProvider, pg.GetString("akka.persistence.snapshot-store.sql.provider-name"));
        Assert.Equal("Host=10.0.0.5;Database=fab", pg.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal("INFO", pg.GetString("akka.loglevel"));
    }

    [Fact]
    public async Task Events_use_the_datapath_serializer_and_an_unbound_type_is_refused_instead_of_falling_back_to_json()
    {
        using var system = ActorSystem.Create("strict", AkkaSettings.For(Load(""), LogLevel.Warning));
        try
        {
            var batch = new FlowBatch();
            Assert.IsType<DatapathEventSerializer>(system.Serialization.FindSerializerFor(batch));
            Assert.Equal($"fabric.dp.FlowBatch.v{Fabric.Actors.Datapath.Persistence.DatapathEventSerializer.CurrentVersion}", Akka.Serialization.Serialization.ManifestFor(system.Serialization.FindSerializerFor(batch), batch));
            Assert.Throws<SerializationException>(() => system.Serialization.FindSerializerFor(new NotBound(1)));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Hyperion_is_bound_to_cluster_messages_with_fabrics_allow_list_and_carries_an_allowed_type()
    {
        var config = AkkaSettings.Hyperion.WithFallback(ConfigurationFactory.ParseString("akka.stdout-loglevel = OFF\nakka.loglevel = OFF"));
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), AkkaSettings.HyperionSetup([typeof(Allowed)]));
        using var system = ActorSystem.Create("hyperion", setup);
        try
        {
            var serializer = Assert.IsType<Akka.Serialization.HyperionSerializer>(system.Serialization.FindSerializerFor(new Allowed("x")));
            Assert.True(serializer.Settings.DisallowUnsafeType);
            var filter = Assert.IsType<ClusterMessageFilter>(serializer.Settings.TypeFilter);
            Assert.Equal(["Fabric.Host.Tests.Node.AkkaSettingsTests+Allowed,Fabric.Host.Tests"], filter.Allowed);
            Assert.Equal(new Allowed("x"), serializer.FromBinary(serializer.ToBinary(new Allowed("x")), typeof(Allowed)));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Theory]
    [InlineData("Fabric.Host.Tests.Node.AkkaSettingsTests+Allowed, Fabric.Host.Tests", true)]
    [InlineData("Fabric.Host.Tests.Node.AkkaSettingsTests+Allowed, Fabric.Host.Tests, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", true)]
    [InlineData("Fabric.Host.Tests.Node.AkkaSettingsTests+NotAllowed, Fabric.Host.Tests", false)]
    [InlineData("System.Diagnostics.Process, System.Diagnostics.Process", false)]
    [InlineData("Fabric.Host.Tests.Node.AkkaSettingsTests+Allowed, Evil", false)]
    public void The_allow_list_matches_short_and_full_assembly_qualified_names_of_exactly_the_allowed_types(string name, bool allowed) =>
        Assert.Equal(allowed, new ClusterMessageFilter([typeof(Allowed)]).IsAllowed(name));

    [Fact]
    public void Nodes_allow_exactly_fabrics_cluster_message_types() =>
        Assert.All(AkkaSettings.ClusterMessageTypes, t => Assert.True(typeof(IClusterMessage).IsAssignableFrom(t)));

    public sealed record NotBound(int X);

    public sealed record Allowed(string Text) : IClusterMessage;

    public sealed record NotAllowed(string Text) : IClusterMessage;
}
