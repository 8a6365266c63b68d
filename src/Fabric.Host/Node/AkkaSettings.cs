using Akka.Configuration;
using Akka.Serialization.Hyperion;
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
            .WithFallback(Hyperion);
    }

    /// <summary>
    /// The configuration of a clustered node's second actor system, the one that joins Akka.Cluster (named
    /// <see cref="ClusterSettings.SystemName"/> on every node): the cluster provider on dot-netty TCP at the node's own
    /// address, the seed nodes, the split-brain resolver (keep-majority) and the failure detector tuned from
    /// <paramref name="cluster"/> (akka-notes §4.2: unreachable ≈ heartbeat + pause + 5.23 σ), Akka.DistributedData,
    /// and Hyperion for Fabric's messages. The node's own <c>akka { }</c> section goes first, so a user can tune any of it.
    /// </summary>
    public static Config ForCluster(NodeSettings settings, ClusterSettings cluster, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(cluster);
        var seeds = string.Join(", ", cluster.SeedNodes.Select(s => "\"" + ClusterSettings.Address(s) + "\""));
        var heartbeat = Ms(cluster.HeartbeatInterval);
        var gossip = Ms(TimeSpan.FromMilliseconds(Math.Clamp(cluster.HeartbeatInterval.TotalMilliseconds, 100, 1000)));
        var text = $$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{cluster.Hostname}}"
                port = {{cluster.Port}}
              }
              cluster {
                seed-nodes = [{{seeds}}]
                roles = ["vtep:{{cluster.Vtep}}", "node:{{settings.NodeName}}"]
                min-nr-of-members = 1
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{Ms(cluster.StableAfter)}}
                  down-all-when-unstable = off
                }
                failure-detector {
                  heartbeat-interval = {{heartbeat}}
                  acceptable-heartbeat-pause = {{Ms(cluster.AcceptableHeartbeatPause)}}
                  threshold = 8.0
                  min-std-deviation = 100ms
                  expected-response-after = {{heartbeat}}
                }
                unreachable-nodes-reaper-interval = 250ms
                gossip-interval = {{gossip}}
                leader-actions-interval = {{gossip}}
                run-coordinated-shutdown-when-down = on
                distributed-data.notify-subscribers-interval = 100ms
                distributed-data.gossip-interval = 500ms
              }
              loggers = ["Akka.Hosting.Logging.LoggerFactoryLogger, Akka.Hosting"]
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """;
        return settings.AkkaConfig
            .WithFallback(ConfigurationFactory.ParseString(text))
            .WithFallback(ConfigurationFactory.ParseString(Base(level)))
            .WithFallback(Hyperion);
    }

    /// <summary>Fabric's message types that may travel between nodes (every <see cref="IClusterMessage"/> in Fabric.Actors).</summary>
    public static IReadOnlyList<Type> ClusterMessageTypes { get; } =
        typeof(IClusterMessage).Assembly.GetTypes().Where(t => !t.IsAbstract && typeof(IClusterMessage).IsAssignableFrom(t)).ToArray();

    /// <summary>The Hyperion serializer, registered and bound to <see cref="IClusterMessage"/> (and nothing else).</summary>
    public static Config Hyperion { get; } = ConfigurationFactory.ParseString(
        "akka.actor {\n" +
        "  serializers { hyperion = \"Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion\" }\n" +
        $"  serialization-bindings {{ \"{Name(typeof(IClusterMessage))}\" = hyperion }}\n" +
        "}\n");

    /// <summary>
    /// The Hyperion setup to start the actor system with: unsafe types refused and an allow-list of exactly
    /// <paramref name="allowed"/> (<see cref="ClusterMessageFilter"/>).
    /// </summary>
    public static HyperionSerializerSetup HyperionSetup(IEnumerable<Type> allowed) =>
        HyperionSerializerSetup.Empty.WithDisallowUnsafeType(true).WithTypeFilter(new ClusterMessageFilter(allowed));

    private static string Ms(TimeSpan t) => $"{(long)Math.Ceiling(t.TotalMilliseconds)}ms";

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
