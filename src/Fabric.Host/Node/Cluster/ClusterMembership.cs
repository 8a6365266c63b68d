using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Hosting.Logging;
using Fabric.Actors.Cluster;
using Fabric.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Node.Cluster;

/// <summary>
/// A clustered node's second actor system, the one that joins Akka.Cluster (named <see cref="ClusterSettings.SystemName"/>
/// on every node), kept apart from the node's own actor system so that nothing the cluster does — a partition, the
/// split-brain resolver downing this node — can stop a bridge, a shard or the datapath actor. It runs the
/// <see cref="MembershipActor"/>, which tells the tunnel manager every membership change. When the system terminates
/// without being asked (downed: Akka runs coordinated shutdown), a new one starts after
/// <see cref="ClusterSettings.RejoinAfter"/> and joins again as a new incarnation (an actor system joins only once,
/// akka-notes §4.1); forwarding goes on meanwhile.
/// </summary>
public sealed class ClusterMembership : IAsyncDisposable
{
    private readonly NodeSettings _settings;
    private readonly ClusterSettings _cluster;
    private readonly IActorRef _tunnels;
    private readonly IReadOnlyList<TunnelBridge> _bridges;
    private readonly TunnelDirectory _directory;
    private readonly ILoggerFactory _loggerFactory;
    private readonly LogLevel _level;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private ActorSystem? _system;
    private Task _watch = Task.CompletedTask;
    private int _incarnations;

    private ClusterMembership(NodeSettings settings, ClusterSettings cluster, IActorRef tunnels, TunnelDirectory directory, IReadOnlyList<TunnelBridge> bridges, ILoggerFactory loggerFactory, LogLevel level)
    {
        _directory = directory;
        _bridges = bridges;
        _settings = settings;
        _cluster = cluster;
        _tunnels = tunnels;
        _loggerFactory = loggerFactory;
        _level = level;
        _log = loggerFactory.CreateLogger("fabric.cluster");
    }

    /// <summary>The running cluster actor system, or null between a downing and the next incarnation.</summary>
    public ActorSystem? System
    {
        get
        {
            lock (_gate)
            {
                return _system;
            }
        }
    }

    /// <summary>
    /// Asks the membership actor of the member at <paramref name="address"/> (Akka remoting, Hyperion) how it sees the
    /// cluster; null when it does not answer within <paramref name="timeout"/> or this node's cluster system is down.
    /// </summary>
    public async Task<ClusterProtocol.PeerStatus?> PeerStatusAsync(string address, TimeSpan timeout)
    {
        if (System is not { } system)
        {
            return null;
        }

        try
        {
            return await system.ActorSelection(address + "/user/membership").Ask<ClusterProtocol.PeerStatus>(new ClusterProtocol.GetPeerStatus(), timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>How many cluster actor systems this node has started.</summary>
    public int Incarnations => Volatile.Read(ref _incarnations);

    /// <summary>Starts the cluster actor system and its join to the seed nodes (it does not wait for the join).</summary>
    /// <param name="settings">The node's settings (for the <c>akka</c> section and the node name).</param>
    /// <param name="cluster">Its cluster settings.</param>
    /// <param name="tunnels">The tunnel manager in the node's own actor system.</param>
    /// <param name="directory">The node's tunnel ports.</param>
    /// <param name="bridges">The bridges with a VNI, whose MAC bindings are shared (<see cref="MacBindingsActor"/>).</param>
    /// <param name="loggerFactory">Where Akka logs.</param>
    /// <param name="level">Akka's log level.</param>
    /// <exception cref="Akka.Configuration.ConfigurationException">Akka refused the configuration.</exception>
    public static ClusterMembership Start(NodeSettings settings, ClusterSettings cluster, IActorRef tunnels, TunnelDirectory directory, IReadOnlyList<TunnelBridge> bridges, ILoggerFactory loggerFactory, LogLevel level)
    {
        var membership = new ClusterMembership(settings, cluster, tunnels, directory, bridges, loggerFactory, level);
        membership.StartIncarnation();
        return membership;
    }

    /// <summary>Leaves the cluster gracefully (waits up to <paramref name="timeout"/> for this node to be removed), then terminates the system.</summary>
    public async Task LeaveAsync(TimeSpan timeout)
    {
        _stop.Cancel();
        var system = System;
        if (system is null)
        {
            return;
        }

        try
        {
            await Akka.Cluster.Cluster.Get(system).LeaveAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.LogWarning("cluster: leaving took longer than {Timeout}; terminating anyway", timeout);
        }

        await system.Terminate().WaitAsync(timeout).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        var system = System;
        if (system is not null)
        {
            await system.Terminate().ConfigureAwait(false);
        }

        try
        {
            await _watch.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private void StartIncarnation()
    {
        var incarnation = Interlocked.Increment(ref _incarnations);
        var setup = BootstrapSetup.Create()
            .WithConfig(AkkaSettings.ForCluster(_settings, _cluster, _level))
            .And(AkkaSettings.HyperionSetup(AkkaSettings.ClusterMessageTypes))
            .And(new LoggerFactorySetup(_loggerFactory));
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(ClusterSettings.SystemName, setup);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            // Typically the remoting port is still held (a predecessor handing over has not let go of it yet).
            _log.LogWarning("cluster: cannot start the cluster actor system at {Address}: {Error}; trying again in {Delay}", _cluster.SelfAddress, e.GetBaseException().Message, RetryDelay);
            _watch = RetryAsync();
            return;
        }

        system.ActorOf(MembershipActor.Props(_tunnels, _directory, _settings.NodeName, incarnation), "membership");
        if (_bridges.Count > 0)
        {
            system.ActorOf(MacBindingsActor.Props(_bridges, _settings.NodeName), "mac-bindings");
        }

        lock (_gate)
        {
            _system = system;
        }

        _log.LogInformation("cluster: incarnation {Incarnation} at {Address} joining {Seeds}", incarnation, _cluster.SelfAddress, string.Join(", ", _cluster.SeedNodes));
        _watch = WatchAsync(system);
    }

    private TimeSpan RetryDelay => TimeSpan.FromMilliseconds(Math.Max(200, _cluster.RejoinAfter.TotalMilliseconds / 4));

    private async Task RetryAsync()
    {
        try
        {
            await Task.Delay(RetryDelay, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        StartIncarnation();
    }

    private async Task WatchAsync(ActorSystem system)
    {
        await system.WhenTerminated.ConfigureAwait(false);
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        var reason = Akka.Actor.CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name ?? "terminated";
        lock (_gate)
        {
            _system = null;
        }

        _tunnels.Tell(new ClusterProtocol.ClusterSystemTerminated(reason));
        _log.LogWarning("cluster: the cluster actor system terminated ({Reason}); forwarding goes on, joining again in {Delay}", reason, _cluster.RejoinAfter);
        try
        {
            await Task.Delay(_cluster.RejoinAfter, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        StartIncarnation();
    }
}
