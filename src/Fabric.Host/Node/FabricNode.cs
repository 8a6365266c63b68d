using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Ports;
using Fabric.Host.Configuration;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Pattern;
using Fabric.Kernel.Persistence;
using Fabric.Persistence.Sql;
using Fabric.Persistence.Sql.Postgres;
using Fabric.Persistence.Sql.Sqlite;
using Microsoft.Extensions.Logging;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Host.Node;

/// <summary>
/// One running node: the datapath (ports, megaflow table, poll threads), the actor system with the
/// datapath actor and one bridge actor per configured bridge, and the upcall pump between them.
/// </summary>
/// <remarks>
/// Start order: recover the datapath actor from its journal (the megaflow table is back before any port is
/// polled), open every port and number it through the datapath actor (recovered ports keep their numbers, so
/// restored megaflows stay right), start the poll threads (forwarding on the restored megaflows begins here),
/// then start the bridges (which publish their shards to the upcall router and re-seed their MAC tables from
/// the restored megaflows). A graceful stop saves a datapath snapshot, stops the control plane, and stops the
/// poll threads last, so a restart's outage is only the time when no process forwards.
/// </remarks>
public sealed class FabricNode : IAsyncDisposable
{
    private static readonly TimeSpan StartupAskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(120);
    private readonly Fabric.Kernel.Persistence.Journal.IJournal _journal;
    private readonly Fabric.Kernel.Persistence.Snapshot.ISnapshotStore _snapshots;
    private readonly Task _storesOpened;
    private bool _cleanedUp;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _pumpStop = new();
    private readonly List<OpenedBridge> _bridges = new();
    private readonly List<BridgeSettings> _pendingBridges = new();
    private Task _pump = Task.CompletedTask;
    private bool _disposed;

    private FabricNode(NodeSettings settings, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        Settings = settings;
        LoggerFactory = loggerFactory;
        Clock = clock;
        _log = loggerFactory.CreateLogger("fabric.node");
        (_journal, _snapshots) = settings.Persistence.Plugin == PersistencePlugin.PostgreSql
            ? SqlPersistenceFactory.CreatePostgres(settings.Persistence.PostgresConnectionString)
            : SqlPersistenceFactory.CreateSqlite(settings.Persistence.SqlitePath);

        // Opening the stores (native SQLite load, schema check) and loading the journal schema's descriptors run
        // on another core while this one builds the datapath and the actor system: restarts are shorter.
        _storesOpened = Task.Run(OpenStoresAsync);
        Datapath = new DatapathEngine(settings.Datapath, clock);
        System = ActorSystem.Create(settings.NodeName, new ActorSystemSetup { TimeProvider = clock, LoggerFactory = loggerFactory });
        Router = new UpcallRouter();
        JournalDescription = _journal switch
        {
            SqliteJournal j => j.Describe(),
            PostgresJournal j => j.Describe(),
            _ => _journal.GetType().Name,
        };
        var serializers = new SerializerRegistry();
        serializers.Add(new DatapathEventSerializer());
        Fabric.Kernel.Persistence.Persistence.Register(System, new PersistenceSetup { Journal = _journal, SnapshotStore = _snapshots, Serializers = serializers });
    }

    /// <summary>
    /// Opens the journal and snapshot store now (creating their tables), so a store that cannot be reached fails the
    /// start with one clear error instead of leaving the datapath actor retrying recovery through backoff.
    /// </summary>
    private async Task OpenStoresAsync()
    {
        _ = Fabric.Actors.Datapath.Persistence.Proto.DatapathEventsReflection.Descriptor;
        Directory.CreateDirectory(Settings.StateDir);
        await Task.WhenAll(
            _journal switch
            {
                SqliteJournal j => j.InitializeAsync(),
                PostgresJournal j => j.InitializeAsync(),
                _ => Task.CompletedTask,
            },
            _snapshots switch
            {
                SqliteSnapshotStore s => s.InitializeAsync(),
                PostgresSnapshotStore s => s.InitializeAsync(),
                _ => Task.CompletedTask,
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the datapath actor under its supervisor: the supervisor resumes it on failures of its own; a journal
    /// failure stops it (Akka.Persistence semantics) and the backoff supervisor starts it again, live table untouched.
    /// </summary>
    private IActorRef StartDatapathActor()
    {
        var datapathProps = Fabric.Actors.Datapath.DatapathActor.Props(Datapath, new DatapathPersistenceSettings { SnapshotEvery = Settings.Persistence.SnapshotEvery }, new LiveTableState());
        var backoff = Backoff.OnStop(datapathProps, "datapath", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2)
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume));
        return System.ActorOf(BackoffSupervisor.Props(backoff), "datapath-supervisor");
    }

    /// <summary>Where the journal lives, e.g. "sqlite:/var/lib/fabric/fabric.db".</summary>
    public string JournalDescription { get; }

    /// <summary>What recovery restored at start.</summary>
    public DatapathProtocol.Recovered? Recovery { get; private set; }

    /// <summary>The node's settings.</summary>
    public NodeSettings Settings { get; }

    /// <summary>The fast path.</summary>
    public DatapathEngine Datapath { get; }

    /// <summary>The actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The datapath actor (through its backoff supervisor, which forwards to it), sole writer of forwarding state.</summary>
    public IActorRef DatapathActor { get; private set; } = ActorRefs.Nobody;

    /// <summary>Routes upcalls to flow-table shards.</summary>
    public UpcallRouter Router { get; }

    /// <summary>The node's clock.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Logger factory for the node's components.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The running bridges, in configuration order.</summary>
    public IReadOnlyList<OpenedBridge> Bridges => _bridges;

    /// <summary>Cancelled when the node is asked to stop (ctl exit, SIGTERM).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Builds and starts a node: ports, bridges, poll threads.</summary>
    /// <exception cref="PortException">A port could not be opened; what was opened is closed again.</exception>
    public static async Task<FabricNode> StartAsync(NodeSettings settings, ILoggerFactory loggerFactory, TimeProvider? clock = null)
    {
        var node = new FabricNode(settings, loggerFactory, clock ?? TimeProvider.System);
        try
        {
            StartupTrace.Mark("node");
            await node._storesOpened.ConfigureAwait(false);
            StartupTrace.Mark("stores");
            node.DatapathActor = node.StartDatapathActor();
            node.Recovery = await node.DatapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), RecoveryTimeout).ConfigureAwait(false);
            StartupTrace.Mark("recovery");
            node._log.LogInformation("datapath recovered {Flows} megaflows (journal sequence {Seq}) in {Ms:F0} ms", node.Recovery.RestoredFlows, node.Recovery.SequenceNr, node.Recovery.Duration.TotalMilliseconds);
            await node.OpenPortsAsync().ConfigureAwait(false);
            StartupTrace.Mark("ports");

            // Forward on the restored megaflows at once; an upcall that arrives before its bridge has published
            // its shards is dropped (counted as unrouted), exactly as if the node had started a moment later.
            node.Datapath.Start();
            node._pump = Task.Factory.StartNew(() => node.Router.PumpAsync(node.Datapath.Upcalls, node._pumpStop.Token), TaskCreationOptions.LongRunning).Unwrap();
            var forwardingAt = Environment.TickCount64;
            StartupTrace.Mark("forwarding");
            node._log.LogInformation("startup: {Trace}", StartupTrace.Text);
            await node.StartBridgesAsync().ConfigureAwait(false);
            node._log.LogInformation(
                "fabric node {Node} forwarding {Ms} ms after process start; {Bridges} bridge(s), {Ports} port(s) ready {BridgeMs} ms later",
                settings.NodeName,
                (long)(DateTime.Now - global::System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds - (Environment.TickCount64 - forwardingAt),
                node._bridges.Count,
                node.Datapath.Ports.Count,
                Environment.TickCount64 - forwardingAt);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Finds a running bridge by name.</summary>
    public OpenedBridge? FindBridge(string name) => _bridges.Find(b => b.Settings.Name == name);

    /// <summary>Asks the node to stop; <see cref="Stopping"/> fires.</summary>
    public void RequestStop() => _stopping.Cancel();

    /// <summary>
    /// <c>exit --cleanup</c>: stops forwarding, then deletes every megaflow and its persisted copy
    /// (journal and snapshots), so the next start begins cold. Returns the error text, or null.
    /// </summary>
    public async Task<string?> CleanupAsync()
    {
        Datapath.Stop();
        var done = await DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Cleanup(), StartupAskTimeout).ConfigureAwait(false);
        _cleanedUp = done.Error is null;
        return done.Error;
    }

    private async Task OpenPortsAsync()
    {
        foreach (var b in Settings.Bridges)
        {
            var ports = new List<BridgePort>();
            var nextOf = 1;
            var usedOf = b.Ports.Where(p => p.OfPort is not null).Select(p => p.OfPort!.Value).ToHashSet();
            foreach (var p in b.Ports)
            {
                IDatapathPort opened = p.Type == "tap" ? TapPort.Create(p.Name) : AfPacketPort.Open(p.Name);
                DatapathProtocol.PortAdded added;
                try
                {
                    added = await DatapathActor.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(opened, 0), StartupAskTimeout).ConfigureAwait(false);
                }
                catch
                {
                    opened.Dispose();
                    throw;
                }

                var ofport = p.OfPort ?? NextFree(ref nextOf, usedOf);
                ports.Add(new BridgePort
                {
                    Name = p.Name,
                    OfPort = ofport,
                    DpPort = added.PortNo,
                    Type = p.Type,
                    Mode = p.Mode,
                    Tag = p.Tag,
                    Trunks = p.Trunks,
                });
                _log.LogInformation("bridge {Bridge}: added {Type} port {Port} (ofport {OfPort}, dp port {DpPort})", b.Name, p.Type, p.Name, ofport, added.PortNo);
            }

            _pendingBridges.Add(new BridgeSettings
            {
                Name = b.Name,
                Ports = ports,
                MacTableSize = b.MacTableSize,
                MacAgingTime = b.MacAgingTime,
                Shards = Settings.ShardsPerBridge,
                MaxIdle = Settings.MaxIdle,
                RevalidateInterval = Settings.RevalidateInterval,
            });
        }
    }

    private async Task StartBridgesAsync()
    {
        foreach (var bridgeSettings in _pendingBridges)
        {
            var actor = System.ActorOf(BridgeActor.Props(bridgeSettings, Datapath, DatapathActor, Router), bridgeSettings.Name);
            _bridges.Add(new OpenedBridge(bridgeSettings, actor));
        }

        _pendingBridges.Clear();

        // Every bridge has published its shards once it answers a message (PreStart runs before any message).
        foreach (var b in _bridges)
        {
            await b.Actor.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), StartupAskTimeout).ConfigureAwait(false);
        }
    }

    private static int NextFree(ref int next, HashSet<int> used)
    {
        while (used.Contains(next))
        {
            next++;
        }

        used.Add(next);
        return next++;
    }

    /// <summary>Stops the poll threads, the upcall pump and the actor system, and closes the ports.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping.Cancel();
        if (!_cleanedUp && Recovery is not null)
        {
            // Graceful stop: everything journaled, plus a snapshot so the next start recovers fast. The poll
            // threads keep forwarding meanwhile: the outage of a restart starts only below.
            try
            {
                var cp = await DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Checkpoint(), StartupAskTimeout).ConfigureAwait(false);
                _log.LogInformation("datapath snapshot at journal sequence {Seq}{Error}", cp.SequenceNr, cp.Error is null ? "" : ": " + cp.Error);
            }
            catch (Exception e) when (e is AskTimeoutException or InvalidOperationException)
            {
                _log.LogWarning("datapath snapshot on exit failed: {Error}", e.Message);
            }
        }

        // The control plane goes first; the poll threads keep forwarding on the installed megaflows until the
        // very end, so a restart's outage is only the time no process forwards.
        _pumpStop.Cancel();
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        await System.Terminate().ConfigureAwait(false);
        await _journal.DisposeAsync().ConfigureAwait(false);
        await _snapshots.DisposeAsync().ConfigureAwait(false);
        Datapath.Stop();
        var ports = Datapath.Ports.Values.ToList();
        Datapath.Dispose();
        foreach (var port in ports)
        {
            // Closing a TAP port's descriptor deletes its device.
            port.Dispose();
        }

        _stopping.Dispose();
        _pumpStop.Dispose();
        _log.LogInformation("fabric node {Node} stopped", Settings.NodeName);
    }
}
