using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fabric.Datapath.Ports.Native;
using Fabric.Host.Cli;
using Fabric.Host.Configuration;
using Fabric.Host.Configuration.Hocon;
using Fabric.Host.Node;
using Fabric.Host.Node.Handover;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Keeper;

/// <summary>
/// <c>fabric run --config F --keeper</c>: a small long-lived process that starts the forwarding node as its child and holds
/// the node's open port descriptors (a descriptor store, as systemd's FileDescriptorStore), so that when the node dies —
/// kill -9, a crash — the AF_PACKET sockets stay bound, the TAP devices stay, and the kernel goes on queuing their frames
/// until the next node reads them. It starts no actor system and reads nothing of the configuration but the state
/// directory; the nodes check the rest.
/// </summary>
/// <remarks>
/// <para>
/// The keeper listens on <c>STATE-DIR/keeper-PID.sock</c> (SOCK_SEQPACKET, mode 0600) and starts <c>fabric run --config
/// F --keeper-socket SOCKET</c>. Once that node forwards it deposits its descriptors (<see cref="KeeperLink"/>). When
/// the node dies for any reason but a <c>fabric ctl exit</c> (which it announces), the keeper starts a new node with
/// <c>--takeover SOCKET</c> after the <see cref="RestartBackoff"/> delay and serves it the hand-over protocol
/// (<see cref="TakeoverClient"/>): <c>hello</c> → the kept descriptors, <c>ready</c> → <c>stopped</c> at once (nobody
/// reads them). The new node recovers the journal warm and only then reads the frames that waited.
/// </para>
/// <para>
/// <c>fabric ctl restart</c> under a keeper: the node asks the keeper to start its successor (<c>spawn</c>), so the
/// keeper is every node's parent and learns of each one's death from the ordinary child exit, with its exit status —
/// no pidfd or subreaper needed, and a successor is never left to init. The hand-over itself runs between the two
/// nodes as without a keeper; the successor becomes the keeper's node when it deposits, and the old node's exit is
/// then expected. If the old node dies during the hand-over, the keeper waits for the successor: it either deposits
/// (and is the node) or exits (and the keeper restarts from its descriptors).
/// </para>
/// <para>
/// The keeper ends when its node exits after <c>exit</c> (code 0), on SIGTERM or SIGINT (it stops the node with SIGTERM
/// first), or when its first node dies before it ever forwarded (with that node's exit code: a configuration or port
/// error is for the operator to fix, not to retry). Closing the descriptors as it ends deletes the TAP devices.
/// Only its own children may take or deposit descriptors (SO_PEERCRED).
/// </para>
/// </remarks>
public sealed class NodeKeeper : IDisposable
{
    private readonly object _gate = new();
    private readonly ILogger _log;
    private readonly FabricCommand _firstNode;
    private readonly Socket _listener;
    private readonly KeptPorts _ports = new();
    private readonly RestartBackoff _backoff = new();
    private readonly List<KeptNode> _successors = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KeptNode? _node;
    private (KeptNode Node, int Code)? _diedDuringHandOver;
    private KeeperRestart? _crash;
    private int _crashedPid;
    private bool _forwarded;
    private bool _stopping;

    private NodeKeeper(string socketPath, Socket listener, FabricCommand firstNode, ILogger log)
    {
        SocketPath = socketPath;
        _listener = listener;
        _firstNode = firstNode;
        _log = log;
    }

    /// <summary>The keeper's socket, <c>STATE-DIR/keeper-PID.sock</c>.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Runs a keeper for the configuration <paramref name="configFile"/> until it ends (see the type remarks); returns its
    /// exit code: 0, 2 when it cannot start (an unreadable configuration, no socket), or the exit code of a first node
    /// that failed before it forwarded.
    /// </summary>
    /// <param name="configFile">The nodes' configuration file; the keeper reads only <c>fabric.state-dir</c> of it.</param>
    /// <param name="level">The keeper's and its nodes' log level.</param>
    /// <param name="ct">Stops the keeper as SIGTERM does.</param>
    public static async Task<int> RunAsync(FileInfo configFile, LogLevel level, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(configFile);
        string socketPath;
        Socket listener;
        try
        {
            var stateDir = NodeSettingsLoader.ReadStateDir(configFile.FullName);
            Directory.CreateDirectory(stateDir);
            socketPath = Path.Combine(Path.GetFullPath(stateDir), $"keeper-{Environment.ProcessId}.sock");
            File.Delete(socketPath);
            listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(socketPath));
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                listener.Listen(16);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or IOException or SocketException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"fabric run --keeper: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = LoggingSetup.Create(level);
        var node = FabricCommand.Build(null).With("run", "--config", configFile.FullName, "--log-level", level.ToString());
        using var keeper = new NodeKeeper(socketPath, listener, node, loggerFactory.CreateLogger("fabric.keeper"));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, keeper.OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, keeper.OnSignal);
        using var cancelled = ct.Register(() => keeper.Stop("SIGTERM or SIGINT"));
        return await keeper.RunAsync().ConfigureAwait(false);
    }

    /// <summary>Stops accepting, deletes the socket, closes every kept descriptor and kills a successor still starting.</summary>
    public void Dispose()
    {
        _closing.Cancel();
        _listener.Dispose();
        File.Delete(SocketPath);
        lock (_gate)
        {
            foreach (var s in _successors)
            {
                s.Terminate();
                s.SpawnChannel?.Dispose();
            }

            _ports.Dispose();
        }

        _closing.Dispose();
    }

    private async Task<int> RunAsync()
    {
        _log.LogInformation("keeper pid {Pid} listening on {Socket}", Environment.ProcessId, SocketPath);
        var accepting = AcceptLoopAsync();
        lock (_gate)
        {
            StartNode(_firstNode, takeOver: false);
        }

        var code = await _done.Task.ConfigureAwait(false);
        _closing.Cancel();
        await accepting.ConfigureAwait(false);
        _log.LogInformation("keeper pid {Pid} stops (exit code {Code}); closing {Ports}", Environment.ProcessId, code, _ports.Describe());
        return code;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Stop(context.Signal.ToString());
    }

    private void Stop(string why)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            foreach (var s in _successors)
            {
                s.Terminate();
            }

            if (_node is { } node && !node.Process.HasExited)
            {
                _log.LogInformation("stop requested ({Why}): stopping node pid {Pid} (SIGTERM), then the keeper", why, node.Pid);
                node.Terminate();
            }
            else
            {
                _log.LogInformation("stop requested ({Why}): no node runs; the keeper stops", why);
                _done.TrySetResult(0);
            }
        }
    }

    /// <summary>Starts a node (under the lock): <paramref name="command"/> plus this keeper's socket, and <c>--takeover</c> it.</summary>
    private void StartNode(FabricCommand command, bool takeOver)
    {
        var args = takeOver ? new[] { "--takeover", SocketPath, "--keeper-socket", SocketPath } : ["--keeper-socket", SocketPath];
        if (Start(command, args) is not { } process)
        {
            if (!_forwarded)
            {
                _done.TrySetResult(2);
            }
            else
            {
                ScheduleRestart(command, null);
            }

            return;
        }

        var node = new KeptNode(process, command, takeOver);
        _node = node;
        _log.LogInformation(
            "started node pid {Pid}{TakesOver}",
            node.Pid,
            takeOver ? $", which takes the kept {_ports.Describe()} over" : "");
        _ = WatchAsync(node);
    }

    private Process? Start(FabricCommand command, IEnumerable<string> more)
    {
        try
        {
            return Process.Start(command.With(more).StartInfo()) ?? throw new InvalidOperationException("Process.Start returned nothing");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _log.LogError("cannot start {Command}: {Error}", command, e.Message);
            return null;
        }
    }

    private async Task WatchAsync(KeptNode node)
    {
        await node.Process.WaitForExitAsync().ConfigureAwait(false);
        lock (_gate)
        {
            OnExited(node, node.Process.ExitCode);
        }

        node.Process.Dispose();
    }

    /// <summary>A child exited (under the lock).</summary>
    private void OnExited(KeptNode exited, int code)
    {
        var death = Death(code);
        if (_successors.Remove(exited))
        {
            _log.LogInformation("successor pid {Pid} {Death} before it took over", exited.Pid, death);
            Tell(exited.SpawnChannel, string.Create(CultureInfo.InvariantCulture, $"exited {code}"));
            if (_node is null && _diedDuringHandOver is { } orphan && _successors.Count == 0)
            {
                _diedDuringHandOver = null;
                Crashed(orphan.Node, orphan.Code);
            }

            return;
        }

        if (exited != _node)
        {
            _log.LogInformation("previous node pid {Pid} {Death} after handing over", exited.Pid, death);
            return;
        }

        _node = null;
        if (exited.ExitAnnounced || _stopping)
        {
            _log.LogInformation("node pid {Pid} {Death}{Why}", exited.Pid, death, exited.ExitAnnounced ? " (fabric ctl exit)" : "");
            _done.TrySetResult(0);
            return;
        }

        if (!_forwarded)
        {
            _log.LogError("node pid {Pid} {Death} before it ever forwarded: the keeper stops (see the node's error above)", exited.Pid, death);
            _done.TrySetResult(code == 0 ? 1 : code);
            return;
        }

        if (_successors.Exists(s => !s.Process.HasExited))
        {
            // Mid hand-over: the successor either deposits (it is the node then) or exits (restart from the descriptors).
            _log.LogWarning("node pid {Pid} {Death} during a hand-over: waiting for its successor", exited.Pid, death);
            _diedDuringHandOver = (exited, code);
            return;
        }

        Crashed(exited, code);
    }

    /// <summary>The node died (under the lock): keep its ports, start a new node after the back-off.</summary>
    private void Crashed(KeptNode dead, int code)
    {
        var death = Death(code);
        var now = Stopwatch.GetTimestamp();
        var forwarded = dead.ForwardedFor(now);
        if (forwarded is not null || _crash is null)
        {
            // A node that never forwarded (a restart that failed) read nothing: the frames have waited since the
            // crash before it, which the next node reports; otherwise count from this crash.
            _ports.ResetStatistics();
            _crashedPid = dead.Pid;
            _crash = new KeeperRestart(Environment.ProcessId, code, death, now);
        }

        var delay = _backoff.Next(forwarded);
        _log.LogWarning(
            "node pid {Pid} {Death} {After}; {Restart} (the keeper holds {Ports})",
            dead.Pid,
            death,
            forwarded is { } f ? string.Create(CultureInfo.InvariantCulture, $"after forwarding {f.TotalSeconds:F1} s") : "before it forwarded",
            delay == TimeSpan.Zero
                ? "starting a new node at once"
                : string.Create(CultureInfo.InvariantCulture, $"starting a new node in {delay.TotalSeconds:0.###} s (restart back-off: quick crash {_backoff.QuickCrashes} in a row)"),
            _ports.Describe());
        ScheduleRestart(dead.Command, delay);
    }

    private void ScheduleRestart(FabricCommand command, TimeSpan? delay)
    {
        var wait = delay ?? _backoff.Next(null);
        if (wait == TimeSpan.Zero)
        {
            StartNode(command, takeOver: true);
            return;
        }

        _ = Task.Delay(wait, CancellationToken.None).ContinueWith(
            _ =>
            {
                lock (_gate)
                {
                    if (!_stopping && _node is null)
                    {
                        StartNode(command, takeOver: true);
                    }
                }
            },
            TaskScheduler.Default);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _listener.AcceptAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(new HandoverChannel(accepted));
        }
    }

    private async Task ServeAsync(HandoverChannel channel)
    {
        var keep = false;
        try
        {
            var peer = FdPassing.PeerProcessId(channel.Fd);
            var (message, fds) = await Task.Run(channel.ReceiveWithDescriptors).ConfigureAwait(false);
            if (message is not null && message.StartsWith("deposit ", StringComparison.Ordinal))
            {
                await ServeNodeAsync(channel, peer, JsonSerializer.Deserialize<HandoverPorts>(message["deposit ".Length..]), fds).ConfigureAwait(false);
                return;
            }

            FdPassing.Close(fds);
            if (message is null)
            {
                return;
            }

            if (message.StartsWith("hello ", StringComparison.Ordinal))
            {
                await ServeTakeoverAsync(channel, peer).ConfigureAwait(false);
            }
            else if (message.StartsWith("error ", StringComparison.Ordinal))
            {
                // A node started to take the ports over failed before it asked (its configuration, typically).
                _log.LogWarning("node pid {Pid} failed before taking the ports over: {Error}", peer, message["error ".Length..]);
            }
            else if (message.StartsWith("spawn ", StringComparison.Ordinal))
            {
                keep = await ServeSpawnAsync(channel, peer, JsonSerializer.Deserialize<SpawnRequest>(message["spawn ".Length..])).ConfigureAwait(false);
            }
            else
            {
                await channel.SendAsync($"error unknown message '{message}'", _closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or JsonException)
        {
            _log.LogDebug("keeper connection: {Error}", e.Message);
        }
        finally
        {
            if (!keep)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>A node deposits its descriptors, then keeps the connection for <c>exit</c>.</summary>
    private async Task ServeNodeAsync(HandoverChannel channel, int peer, HandoverPorts? body, int[] fds)
    {
        string reply;
        lock (_gate)
        {
            reply = Deposit(peer, body, fds);
        }

        await channel.SendAsync(reply, _closing.Token).ConfigureAwait(false);
        if (!reply.StartsWith("kept ", StringComparison.Ordinal))
        {
            return;
        }

        while (true)
        {
            var message = await channel.ReceiveAsync(_closing.Token).ConfigureAwait(false);
            if (message is null)
            {
                return;
            }

            if (message == "exit")
            {
                lock (_gate)
                {
                    if (_node?.Pid == peer)
                    {
                        _node.ExitAnnounced = true;
                        _log.LogInformation("node pid {Pid} exits (fabric ctl exit): the keeper ends with it", peer);
                    }
                }

                await channel.SendAsync("ok", _closing.Token).ConfigureAwait(false);
            }
            else
            {
                await channel.SendAsync($"error unknown message '{message}'", _closing.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Under the lock: stores a node's descriptors; a successor that deposits becomes the node.</summary>
    private string Deposit(int peer, HandoverPorts? body, int[] fds)
    {
        var who = _node is { } n && n.Pid == peer ? n : _successors.Find(s => s.Pid == peer);
        if (who is null || body is null || body.Ports.Count != fds.Length)
        {
            FdPassing.Close(fds);
            return who is null
                ? $"error pid {peer} is not a node this keeper started"
                : $"error {body?.Ports.Count ?? 0} ports announced but {fds.Length} descriptors received";
        }

        _ports.Replace(body.Ports, fds);
        if (who != _node)
        {
            _successors.Remove(who);
            who.SpawnChannel?.Dispose();
            who.SpawnChannel = null;
            _log.LogInformation(
                "node pid {Pid} took over from pid {Old} (fabric ctl restart): the keeper watches it now",
                who.Pid,
                _node?.Pid ?? _diedDuringHandOver?.Node.Pid ?? 0);
            _diedDuringHandOver = null;
            _node = who;
        }

        who.ForwardingSince = Stopwatch.GetTimestamp();
        _forwarded = true;
        _log.LogInformation("node pid {Pid} forwards; the keeper holds its {Ports}", who.Pid, _ports.Describe());
        return string.Create(CultureInfo.InvariantCulture, $"kept {Environment.ProcessId} {fds.Length}");
    }

    /// <summary>A node this keeper started after a crash takes the kept descriptors (the hand-over protocol, keeper side).</summary>
    private async Task ServeTakeoverAsync(HandoverChannel channel, int peer)
    {
        var refused = false;
        lock (_gate)
        {
            if (_node is not { TakesOver: true } node || node.Pid != peer || _crash is null)
            {
                refused = true;
            }
            else
            {
                // Under the lock: a deposit may not close these descriptors while they are being sent.
                var body = new HandoverPorts(_ports.Ports, -1, _crashedPid, _crash);
                channel.SendWithDescriptors("ports " + JsonSerializer.Serialize(body), _ports.Fds);
            }
        }

        if (refused)
        {
            await channel.SendAsync($"error this keeper did not start pid {peer} to take its ports over", _closing.Token).ConfigureAwait(false);
            return;
        }

        var ready = await channel.ReceiveAsync(_closing.Token).ConfigureAwait(false);
        if (ready != "ready")
        {
            _log.LogWarning("node pid {Pid} did not take the ports over: {Said}", peer, ready ?? "it closed the connection");
            return;
        }

        // Nobody reads the kept descriptors: the new node may start at once.
        await channel.SendAsync("stopped", _closing.Token).ConfigureAwait(false);
        var done = await channel.ReceiveAsync(_closing.Token).ConfigureAwait(false);
        _log.LogInformation("node pid {Pid} took the kept ports over: {Said}", peer, done ?? "it closed the connection");
    }

    /// <summary>The node asks for its restart's successor; true when the connection now belongs to that successor.</summary>
    private async Task<bool> ServeSpawnAsync(HandoverChannel channel, int peer, SpawnRequest? request)
    {
        string reply;
        var spawned = false;
        lock (_gate)
        {
            if (request is null || _stopping || _node?.Pid != peer)
            {
                reply = _stopping ? "error the keeper is stopping" : $"error pid {peer} is not this keeper's node";
            }
            else
            {
                var command = new FabricCommand(request.File, request.Args);
                if (Start(command, ["--takeover", request.Takeover, "--keeper-socket", SocketPath]) is { } process)
                {
                    var successor = new KeptNode(process, command, takesOver: false) { SpawnChannel = channel };
                    _successors.Add(successor);
                    _log.LogInformation("started successor pid {Pid} for node pid {Node} (fabric ctl restart)", successor.Pid, peer);
                    _ = WatchAsync(successor);
                    reply = string.Create(CultureInfo.InvariantCulture, $"spawned {successor.Pid}");
                    spawned = true;
                }
                else
                {
                    reply = $"error cannot start {command}";
                }
            }
        }

        await channel.SendAsync(reply, _closing.Token).ConfigureAwait(false);
        return spawned;
    }

    private static void Tell(HandoverChannel? channel, string message)
    {
        if (channel is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await channel.SendAsync(message, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The node that asked has gone or stopped listening.
            }
            finally
            {
                channel.Dispose();
            }
        });
    }

    /// <summary>"killed by signal 9 (SIGKILL)" for exit code 137 (.NET reports 128 + N for a child killed by signal N), else "exited with code C".</summary>
    internal static string Death(int code) => code is > 128 and < 128 + 65
        ? string.Create(CultureInfo.InvariantCulture, $"killed by signal {code - 128}{SignalName(code - 128)}")
        : string.Create(CultureInfo.InvariantCulture, $"exited with code {code}");

    private static string SignalName(int signal) => signal switch
    {
        1 => " (SIGHUP)",
        2 => " (SIGINT)",
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
