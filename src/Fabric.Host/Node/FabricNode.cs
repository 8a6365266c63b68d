using System.Runtime;
using Akka.Actor;
using Akka.Hosting;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Vxlan;
using Fabric.Host.Node.Handover;
using Fabric.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Host.Node;

/// <summary>
/// One running node: the datapath (ports, megaflow table, poll threads), a Microsoft.Extensions.Hosting host running
/// the Akka.NET actor system (Akka.Hosting) with the datapath actor and one bridge actor per configured bridge, and the
/// upcall pump between them.
/// </summary>
/// <remarks>
/// Start order: check the journal store, start the actor system, recover the datapath actor from its journal (the
/// megaflow table is back before any port is polled), open every port and number it through the datapath actor
/// (recovered ports keep their numbers, so restored megaflows stay right), start the poll threads (forwarding on the
/// restored megaflows begins here), then start the bridges (which publish their shards to the upcall router and
/// re-seed their MAC tables from the restored megaflows). A graceful stop saves a datapath snapshot, stops the control
/// plane, and stops the poll threads last, so a restart's outage is only the time when no process forwards.
/// </remarks>
public sealed partial class FabricNode : IAsyncDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(120);
    private readonly IHost _host;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _pumpStop = new();
    private readonly List<OpenedBridge> _bridges = new();
    private readonly List<BridgeSettings> _pendingBridges = new();
    private readonly Dictionary<string, IDatapathPort> _openedDevices = new(StringComparer.Ordinal);
    private readonly Dictionary<(System.Net.IPAddress Local, int Port), VxlanEndpoint> _endpoints = new();
    private Task _pump = Task.CompletedTask;
    private long _forwardingSince;
    private bool _cleanedUp;
    private bool _hostStarted;
    private bool _disposed;
    private readonly LogLevel _level;

    private FabricNode(NodeSettings settings, ILoggerFactory loggerFactory, LogLevel level, TimeProvider clock)
    {
        Settings = settings;
        _level = level;
        LoggerFactory = loggerFactory;
        Clock = clock;
        _log = loggerFactory.CreateLogger("fabric.node");
        JournalDescription = settings.Persistence.Plugin == PersistencePlugin.PostgreSql
            ? JournalStore.DescribePostgreSql(settings.Persistence.PostgresConnectionString)
            : JournalStore.Describe(settings.Persistence.SqlitePath);
        Datapath = new DatapathEngine(settings.Datapath, clock);
        Router = new UpcallRouter();

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, NodeHostLifetime>();
        builder.Services.AddAkka(settings.NodeName, akka =>
        {
            akka.AddHocon(AkkaSettings.For(settings, level), HoconAddMode.Prepend);
            akka.AddSetup(AkkaSettings.HyperionSetup(AkkaSettings.ClusterMessageTypes));
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        });
        _host = builder.Build();
    }

    /// <summary>Where the journal lives, e.g. "sqlite:/var/lib/fabric/fabric.db".</summary>
    public string JournalDescription { get; }

    /// <summary>What recovery restored at start.</summary>
    public DatapathProtocol.Recovered? Recovery { get; private set; }

    /// <summary>How long this process has been reading its ports (zero before it started to).</summary>
    public TimeSpan ForwardingFor => _forwardingSince == 0 ? TimeSpan.Zero : global::System.Diagnostics.Stopwatch.GetElapsedTime(_forwardingSince);

    /// <summary>The node's settings.</summary>
    public NodeSettings Settings { get; }

    /// <summary>The fast path.</summary>
    public DatapathEngine Datapath { get; }

    /// <summary>The actor system (started by the host).</summary>
    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    /// <summary>The datapath actor's backoff supervisor (it forwards to the actor), sole writer of forwarding state.</summary>
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

    /// <summary>Builds and starts a node: journal, actor system, recovery, ports, poll threads, bridges.</summary>
    /// <param name="settings">The validated configuration.</param>
    /// <param name="loggerFactory">Where the node and Akka log.</param>
    /// <param name="level">Akka's log level (the logger factory filters as well).</param>
    /// <param name="clock">The datapath's clock (the system clock by default).</param>
    /// <param name="takeover">
    /// A restart (<c>fabric run --takeover</c>): the running node's port descriptors are taken over instead of opened,
    /// its journal is recovered after it stopped writing, and the poll threads start only once it has stopped reading.
    /// </param>
    /// <exception cref="PortException">A port could not be opened; what was opened is closed again.</exception>
    /// <exception cref="IOException">The journal store cannot be opened or reached, or the takeover failed.</exception>
    public static async Task<FabricNode> StartAsync(NodeSettings settings, ILoggerFactory loggerFactory, LogLevel level = LogLevel.Information, TimeProvider? clock = null, TakeoverClient? takeover = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var node = new FabricNode(settings, loggerFactory, level, clock ?? TimeProvider.System);
        try
        {
            // The port devices are opened first: from then on the kernel queues their frames (AF_PACKET and TAP
            // buffers) instead of dropping them, until the poll threads read them after recovery. On a takeover they
            // are the running node's own descriptors, queuing all along.
            node.OpenPortDevices(takeover?.ReceivePorts());
            StartupTrace.Mark("devices");
            await CheckStoreAsync(settings.Persistence).ConfigureAwait(false);
            StartupTrace.Mark("store");
            await node._host.StartAsync().ConfigureAwait(false);
            node._hostStarted = true;
            StartupTrace.Mark("actors");
            node.DatapathActor = node.System.ActorOf(
                Fabric.Actors.Datapath.DatapathActor.SupervisedProps(
                    node.Datapath,
                    new DatapathPersistenceSettings
                    {
                        PersistenceId = PersistenceIdFor(settings),
                        SnapshotEvery = settings.Persistence.SnapshotEvery,
                        SnapshotInterval = settings.Persistence.SnapshotInterval,
                    },
                    new LiveTableState(),
                    TimeSpan.FromMilliseconds(100),
                    TimeSpan.FromSeconds(5),
                    0.2),
                "datapath-supervisor");
            node.Recovery = await node.DatapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), RecoveryTimeout).ConfigureAwait(false);
            StartupTrace.Mark("recovery");
            node._log.LogInformation("datapath recovered {Flows} megaflows (journal sequence {Seq}) in {Ms:F0} ms", node.Recovery.RestoredFlows, node.Recovery.SequenceNr, node.Recovery.Duration.TotalMilliseconds);
            await node.NumberPortsAsync().ConfigureAwait(false);
            await node.RestoreTunnelsAsync(takeover?.Tunnels ?? []).ConfigureAwait(false);
            node.DatapathActor.Tell(new DatapathProtocol.DeleteOrphanFlows());
            StartupTrace.Mark("ports");
            CollectStartupGarbage();
            StartupTrace.Mark("collected");

            long arrived = 0, dropped = 0;
            var backlogs = new List<(PortKind, BacklogCounter)>();
            if (takeover is not null)
            {
                // The table is back: the predecessor stops reading, and only then does this node start.
                await takeover.ReadyAsync().ConfigureAwait(false);
                StartupTrace.Mark("taken over");

                // What waited for this node: the sockets counted every frame since the last reader stopped (and the
                // ones a full buffer dropped); each port counts what its first reads find queued.
                foreach (var (_, port) in node.Datapath.Ports)
                {
                    if (port is AfPacketPort afPacket)
                    {
                        var (a, d) = afPacket.TakeStatistics();
                        arrived += a;
                        dropped += d;
                        afPacket.Backlog.Arm(afPacket.PollFd);
                        backlogs.Add((PortKind.AfPacket, afPacket.Backlog));
                    }
                    else if (port is TapPort tap)
                    {
                        tap.Backlog.Arm(tap.PollFd);
                        backlogs.Add((PortKind.Tap, tap.Backlog));
                    }
                }
            }

            // Forward on the restored megaflows at once. Misses wait in the upcall queue (up to its capacity) until
            // the bridges have published their shards and the pump routes them: a flow the predecessor had not yet
            // installed, or whose megaflow expired, is delayed by the bridges' start, not dropped.
            node.Datapath.Start();
            var readingSince = global::System.Diagnostics.Stopwatch.GetTimestamp();
            node._forwardingSince = readingSince;
            var forwardingAt = Environment.TickCount64;
            StartupTrace.Mark("forwarding");
            node._log.LogInformation("startup: {Trace}", StartupTrace.Text);
            await node.StartBridgesAsync().ConfigureAwait(false);
            node._pump = Task.Factory.StartNew(() => node.Router.PumpAsync(node.Datapath.Upcalls, node._pumpStop.Token), TaskCreationOptions.LongRunning).Unwrap();
            node.Start = takeover is not null
                ? StartReport.TakenOver(takeover, node.Recovery.RestoredFlows, readingSince, arrived, dropped, backlogs)
                : StartReport.Opened(node.Recovery.RestoredFlows);
            node._log.LogInformation("started: {Started}", node.Start.StartedText);
            node.StartClusterIfConfigured();
            if (takeover is not null)
            {
                _ = node.LogSwitchOverAsync();
            }
            if (takeover is not null)
            {
                await takeover.CompleteAsync($"{node.Recovery.RestoredFlows} megaflows restored").ConfigureAwait(false);
            }

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

    /// <summary>Logs the switch-over once the first reads have emptied every port's queue (or after 10 s, as far as counted).</summary>
    private async Task LogSwitchOverAsync()
    {
        for (var i = 0; i < 1000 && Start.FramesWaiting is { Complete: false } && !Stopping.IsCancellationRequested; i++)
        {
            // The poll threads count as they read: a backlog of thousands of frames is read within milliseconds.
            await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None).ConfigureAwait(false);
        }

        _log.LogInformation("switch-over: {SwitchOver}", Start.SwitchOverText);
    }

    /// <summary>
    /// The datapath actor's persistence id: <c>datapath</c> for a node alone, <c>datapath-NODE</c> for a clustered node,
    /// so clustered nodes may share one database (issue 8 §7) and each recovers only its own table.
    /// </summary>
    public static string PersistenceIdFor(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Cluster is null ? "datapath" : "datapath-" + settings.NodeName;
    }

    /// <summary>Finds a running bridge by name.</summary>
    public OpenedBridge? FindBridge(string name) => _bridges.Find(b => b.Settings.Name == name);

    /// <summary>The actor at <paramref name="path"/> (e.g. <c>/user/br0/shard-0</c>), or null when there is none.</summary>
    public async Task<IActorRef?> ResolveAsync(string path)
    {
        try
        {
            return await System.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (ActorNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Asks the node to stop; <see cref="Stopping"/> fires.</summary>
    public void RequestStop() => _stopping.Cancel();

    /// <summary>
    /// <c>exit --cleanup</c>: stops forwarding, then deletes every megaflow and its persisted copy
    /// (journal and snapshots), so the next start begins cold. Returns the error text, or null.
    /// </summary>
    public async Task<string?> CleanupAsync()
    {
        Datapath.Stop();
        var done = await DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Cleanup(), AskTimeout).ConfigureAwait(false);
        _cleanedUp = done.Error is null;
        return done.Error;
    }

    // Two full, compacting collections before the poll threads start (and, on a takeover, before the predecessor stops
    // reading): what the start allocated and keeps (the host, the actor system, the recovered table) goes to
    // generation 2 now, while no frame waits on it. A collection moves survivors up one generation, hence two. Without
    // them the process's first collections, seconds into forwarding, promoted it instead: a gen0 of 23 ms and a gen1 of
    // 16 ms (measured with memory/show under flushes and pings); with them the start pays about 30 ms and the gen0
    // collections that follow pause 3-7 ms.
    private static void CollectStartupGarbage()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static async Task CheckStoreAsync(PersistenceSettings persistence)
    {
        if (persistence.Plugin == PersistencePlugin.PostgreSql)
        {
            await JournalStore.CheckPostgreSqlAsync(persistence.PostgresConnectionString, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        else
        {
            JournalStore.PrepareSqlite(persistence.SqlitePath);
        }
    }

    /// <summary>
    /// Opens every configured port's device (AF_PACKET socket or TAP device), or takes it from
    /// <paramref name="handedOver"/> (a restart); closes them all again when one fails. Handed-over ports the
    /// configuration no longer has are closed.
    /// </summary>
    /// <exception cref="PortException">A port could not be opened.</exception>
    private void OpenPortDevices(Dictionary<string, IDatapathPort>? handedOver)
    {
        IDatapathPort Open(string name, Func<IDatapathPort> open)
        {
            if (handedOver is not null && handedOver.Remove(name, out var taken))
            {
                return taken;
            }

            return open();
        }

        // fabric.datapath.vnet-headers: handed-over ports keep what their socket or device has.
        bool vnet = Settings.Datapath.VnetHeaders;
        var afPacket = new AfPacketOptions { VnetHeaders = vnet, Io = Settings.AfPacketIo };
        try
        {
            foreach (var b in Settings.Bridges)
            {
                foreach (var p in b.Ports)
                {
                    if (p.Vxlan is { } vxlan)
                    {
                        _openedDevices[p.Name] = EndpointFor(vxlan.LocalIp, vxlan.DstPort, handedOver).CreateTunnel(p.Name, vxlan.RemoteIp, vxlan.Key);
                        continue;
                    }

                    if (p.Bond is not null)
                    {
                        foreach (var member in p.Interfaces)
                        {
                            _openedDevices[member] = Open(member, () => AfPacketPort.Open(member, afPacket));
                        }

                        continue;
                    }

                    bool portVnet = p.VnetHeaders ?? vnet;
                    _openedDevices[p.Name] = Open(p.Name, () => p.Type == "tap"
                        ? TapPort.Create(p.Name, portVnet)
                        : AfPacketPort.Open(p.Name, portVnet == vnet ? afPacket : new AfPacketOptions { VnetHeaders = portVnet, Io = Settings.AfPacketIo }));
                }
            }

            OpenClusterEndpoint(handedOver);
        }
        catch
        {
            CloseUnattachedDevices();
            throw;
        }
        finally
        {
            foreach (var unused in handedOver?.Values ?? Enumerable.Empty<IDatapathPort>())
            {
                unused.Dispose();
            }
        }
    }

    /// <summary>
    /// The VXLAN endpoint (VTEP) for local address <paramref name="local"/> and UDP port <paramref name="port"/>, opened on first use: one UDP
    /// socket per (local_ip, dst_port), named <c>vxlan_sys_PORT</c> (with <c>@LOCAL_IP</c> appended when several
    /// local addresses share the port).
    /// </summary>
    /// <exception cref="PortException">The socket cannot be opened (the port is taken, the address is not local).</exception>
    private VxlanEndpoint EndpointFor(System.Net.IPAddress local, int port, Dictionary<string, IDatapathPort>? handedOver)
    {
        var key = (local, port);
        if (_endpoints.TryGetValue(key, out var endpoint))
        {
            return endpoint;
        }

        // A restart: the predecessor's socket for this address and port, with the datagrams queued on it.
        var taken = handedOver?.FirstOrDefault(kv => kv.Value is VxlanEndpoint e && e.Local.Equals(local) && e.UdpPort == port);
        if (taken is { Value: VxlanEndpoint adopted } found)
        {
            handedOver!.Remove(found.Key);
            _endpoints[key] = adopted;
            _openedDevices[adopted.Name] = adopted;
            return adopted;
        }

        var name = _endpoints.Keys.Any(k => k.Port == port) ? $"vxlan_sys_{port}@{local}" : null;
        endpoint = VxlanEndpoint.Open(local, port, name);
        _endpoints[key] = endpoint;
        _openedDevices[endpoint.Name] = endpoint;
        return endpoint;
    }

    private void CloseUnattachedDevices()
    {
        foreach (var d in _openedDevices.Values)
        {
            d.Dispose();
        }

        _openedDevices.Clear();
    }

    /// <summary>Attaches the opened devices to the datapath through the datapath actor, which gives each its journaled number.</summary>
    private async Task NumberPortsAsync()
    {
        var bondIds = 0;

        // The VTEPs first: datapath ports of their own (vxlan_sys_4789), in no bridge.
        foreach (var endpoint in _endpoints.Values)
        {
            var numbered = await DatapathActor.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(endpoint, 0), AskTimeout).ConfigureAwait(false);
            _openedDevices.Remove(endpoint.Name);
            _log.LogInformation("VXLAN endpoint {Name} on {Local}:{Port} (dp port {DpPort})", endpoint.Name, endpoint.Local, endpoint.UdpPort, numbered.PortNo);
        }

        foreach (var b in Settings.Bridges)
        {
            var ports = new List<BridgePort>();
            var nextOf = 1;
            var usedOf = b.Ports.Where(p => p.OfPort is not null).Select(p => p.OfPort!.Value).ToHashSet();
            foreach (var p in b.Ports)
            {
                if (p.Bond is { } bondConfig)
                {
                    var members = new List<Fabric.Actors.Bonds.BondMemberSettings>();
                    foreach (var member in p.Interfaces)
                    {
                        var device = _openedDevices[member];
                        var memberAdded = await DatapathActor.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(device, 0), AskTimeout).ConfigureAwait(false);
                        _openedDevices.Remove(member);
                        members.Add(new Fabric.Actors.Bonds.BondMemberSettings(member, memberAdded.PortNo, device.MacAddress));
                    }

                    var bondOf = p.OfPort ?? NextFree(ref nextOf, usedOf);
                    var bond = bondConfig with { BondId = (ushort)++bondIds, Members = members };
                    ports.Add(new BridgePort
                    {
                        Name = p.Name,
                        OfPort = bondOf,
                        DpPort = members[0].DpPort,
                        Type = "bond",
                        Mode = p.Mode,
                        Tag = p.Tag,
                        Trunks = p.Trunks,
                        Bond = bond,
                    });
                    _log.LogInformation(
                        "bridge {Bridge}: added bond {Port} (ofport {OfPort}, bond id {BondId}, {Mode}, lacp {Lacp}) with members {Members}",
                        b.Name,
                        p.Name,
                        bondOf,
                        bond.BondId,
                        bond.Mode,
                        bond.Lacp,
                        string.Join(", ", members.Select(m => $"{m.Name} (dp port {m.DpPort})")));
                    continue;
                }

                var opened = _openedDevices[p.Name];
                var added = await DatapathActor.Ask<DatapathProtocol.PortAdded>(new DatapathProtocol.AddPort(opened, 0), AskTimeout).ConfigureAwait(false);
                _openedDevices.Remove(p.Name);
                if (opened is VxlanTunnelPort tunnel)
                {
                    // From here on the endpoint delivers the tunnel's datagrams as frames from its port.
                    tunnel.Endpoint.Attach(tunnel, added.PortNo);
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
            var tunnels = Settings.Cluster is not null && VniOf(bridgeSettings.Name) != 0 ? Tunnels : null;
            var actor = System.ActorOf(BridgeActor.Props(bridgeSettings, Datapath, DatapathActor, Router, tunnels), bridgeSettings.Name);
            _bridges.Add(new OpenedBridge(bridgeSettings, actor));
        }

        _pendingBridges.Clear();

        // Every bridge has published its shards once it answers a message (PreStart runs before any message).
        foreach (var b in _bridges)
        {
            await b.Actor.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), AskTimeout).ConfigureAwait(false);
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

    /// <summary>Saves a snapshot (graceful stop), stops the upcall pump and the host with its actor system, then the poll threads, and closes the ports.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping.Cancel();
        if (!_cleanedUp && !_handedOver && Recovery is not null)
        {
            // Graceful stop: everything journaled, plus a snapshot so the next start recovers fast. The poll
            // threads keep forwarding meanwhile: the outage of a restart starts only below.
            try
            {
                var cp = await DatapathActor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Checkpoint(), AskTimeout).ConfigureAwait(false);
                _log.LogInformation("datapath snapshot at journal sequence {Seq}{Error}", cp.SequenceNr, cp.Error is null ? "" : ": " + cp.Error);
            }
            catch (Exception e) when (e is AskTimeoutException or InvalidOperationException or TaskCanceledException)
            {
                _log.LogWarning("datapath snapshot on exit failed: {Error}", e.Message);
            }
        }

        // Leave the cluster first: peers remove this node's tunnels at once instead of waiting for the failure
        // detector. Forwarding goes on meanwhile.
        await StopClusterAsync().ConfigureAwait(false);

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

        if (_hostStarted)
        {
            await _host.StopAsync().ConfigureAwait(false);
        }

        _host.Dispose();
        CloseUnattachedDevices();
        Datapath.Stop();
        var ports = Datapath.Ports.Values.ToList();
        Datapath.Dispose();
        foreach (var port in ports)
        {
            // Closing a TAP port's descriptor deletes its device.
            port.Dispose();
        }

        Keeper?.Dispose();
        _stopping.Dispose();
        _pumpStop.Dispose();
        _log.LogInformation("fabric node {Node} stopped", Settings.NodeName);
    }
}
