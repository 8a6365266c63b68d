using System.Text;
using Akka.Configuration;
using Fabric.Actors.Cluster;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node;

/// <summary>
/// The Akka.NET configuration a node starts its actor system with: the file's own <c>akka { }</c> section first (so a
/// user can tune dispatchers, loggers or persistence), then Fabric's settings underneath: the journal and snapshot
/// store (Akka.Persistence.Sql on SQLite or PostgreSQL), the datapath event serializer with strict serialization
/// (nothing is persisted as JSON by accident), Hyperion for messages between nodes with an allow-list of Fabric's
/// types, and logging through Microsoft.Extensions.Logging only.
/// </summary>
public static class AkkaSettings
{
    /// <summary>The whole configuration for <paramref name="settings"/> at log level <paramref name="level"/>.</summary>
    public static Config For(NodeSettings settings, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var journal = settings.Persistence.Plugin == PersistencePlugin.PostgreSql
            ? JournalStore.PostgreSql(settings.Persistence.PostgresConnectionString)
            : JournalStore.Sqlite(settings.Persistence.SqlitePath);
        return settings.AkkaConfig
            .WithFallback(ConfigurationFactory.ParseString(Base(level)))
            .WithFallback(DatapathEventSerializer.Config)
            .WithFallback(journal)
            .WithFallback(Hyperion(typeof(IClusterMessage).Assembly.GetTypes().Where(t => typeof(IClusterMessage).IsAssignableFrom(t))));
    }

    /// <summary>
    /// The Hyperion part: the serializer, bound to <see cref="IClusterMessage"/>, allowing exactly
    /// <paramref name="allowed"/> (and the marker itself, so the list is never empty, which Hyperion reads as "any type").
    /// </summary>
    public static Config Hyperion(IEnumerable<Type> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var sb = new StringBuilder();
        sb.Append("akka.actor {\n");
        sb.Append("  serializers { hyperion = \"Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion\" }\n");
        sb.Append("  serialization-bindings { \"").Append(Name(typeof(IClusterMessage))).Append("\" = hyperion }\n");
        sb.Append("  serialization-settings.hyperion.allowed-types = [");
        var first = true;
        foreach (var t in allowed.Append(typeof(IClusterMessage)).Distinct())
        {
            sb.Append(first ? "" : ", ").Append('"').Append(Name(t)).Append('"');
            first = false;
        }

        sb.Append("]\n}\n");
        return ConfigurationFactory.ParseString(sb.ToString());
    }

    private static string Name(Type t) => $"{t.FullName}, {t.Assembly.GetName().Name}";

    private static string Base(LogLevel level) => $$"""
        akka {
          loglevel = {{AkkaLevel(level)}}
          stdout-loglevel = OFF
          log-config-on-start = off
          log-dead-letters = 0
          log-dead-letters-during-shutdown = off
          actor.serialization-settings.allow-unregistered-types = false
          coordinated-shutdown {
            run-by-clr-shutdown-hook = off
            exit-clr = off
          }
        }
        """;

    private static string AkkaLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        _ => "ERROR",
    };
}
