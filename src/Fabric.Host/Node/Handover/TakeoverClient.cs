using System.Diagnostics;
using System.Text.Json;
using Fabric.Datapath.Ports;

namespace Fabric.Host.Node.Handover;

/// <summary>
/// The successor's side of a restart (<c>fabric run --takeover SOCKET</c>): it connects to the running node (or to the
/// keeper that held the ports of a crashed node, which answers the same way) before
/// reading its configuration, receives the live port descriptors (the kernel kept queuing frames on them), recovers
/// the journal its predecessor handed over, says <c>ready</c> once its table is restored, and starts reading the ports
/// only when the predecessor has stopped reading them (<c>stopped</c>). Frames that arrive in between wait in the
/// sockets' buffers: none is lost.
/// </summary>
public sealed class TakeoverClient : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private readonly HandoverChannel _channel;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private TakeoverClient(HandoverChannel channel)
    {
        _channel = channel;
    }

    /// <summary>The predecessor's process id (from the <c>ports</c> message; 0 before).</summary>
    public int PredecessorPid { get; private set; }

    /// <summary>The predecessor's cluster tunnel ports (from <see cref="ReceivePorts"/>), to create again before forwarding; empty from a keeper.</summary>
    public IReadOnlyList<HandedOverTunnel> Tunnels { get; private set; } = [];

    /// <summary>The journal sequence number the predecessor handed over at.</summary>
    public long JournalSequenceNr { get; private set; }

    /// <summary>From connecting to the predecessor's <c>stopped</c>: how long the hand-over took.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>When <c>stopped</c> arrived (a <see cref="Stopwatch"/> timestamp): from then on nobody read the ports.</summary>
    public long StoppedAt { get; private set; }

    /// <summary>Set when the predecessor is a keeper restarting a crashed node: which keeper, and how the node died.</summary>
    public KeeperRestart? Keeper { get; private set; }

    /// <summary>Connects to the predecessor's handover socket (first of all, so that any failure can be reported to it).</summary>
    /// <exception cref="IOException">Nothing listens at <paramref name="path"/>.</exception>
    public static async Task<TakeoverClient> ConnectAsync(string path)
    {
        HandoverChannel channel;
        try
        {
            channel = HandoverChannel.Connect(path);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"--takeover {path}: {e.Message}", e);
        }

        return await Task.FromResult(new TakeoverClient(channel)).ConfigureAwait(false);
    }

    /// <summary>The configuration is read and valid: asks the running node to hand over (it saves a snapshot and sends its ports).</summary>
    public async Task HelloAsync()
    {
        using var cts = new CancellationTokenSource(StepTimeout);
        await _channel.SendAsync($"hello {Environment.ProcessId}", cts.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives the predecessor's port descriptors and adopts them as ports, by interface name. The predecessor has
    /// saved a snapshot and stopped journaling when this returns.
    /// </summary>
    /// <exception cref="IOException">The predecessor closed the connection, sent an error, or a descriptor could not be adopted.</exception>
    public Dictionary<string, IDatapathPort> ReceivePorts()
    {
        var (message, fds) = _channel.ReceiveWithDescriptors();
        if (message is null || !message.StartsWith("ports ", StringComparison.Ordinal))
        {
            Fabric.Datapath.Ports.Native.FdPassing.Close(fds);

            throw new IOException($"takeover: the running node answered {(message is null ? "nothing (it closed the connection)" : "'" + message + "'")}");
        }

        var body = JsonSerializer.Deserialize<HandoverPorts>(message["ports ".Length..])
            ?? throw new IOException("takeover: empty ports message");
        if (body.Ports.Count != fds.Length)
        {
            Fabric.Datapath.Ports.Native.FdPassing.Close(fds);

            throw new IOException($"takeover: {body.Ports.Count} ports announced but {fds.Length} descriptors received");
        }

        PredecessorPid = body.Pid;
        JournalSequenceNr = body.JournalSequenceNr;
        Keeper = body.Keeper;
        Tunnels = body.Tunnels ?? [];
        var ports = new Dictionary<string, IDatapathPort>(StringComparer.Ordinal);
        for (var i = 0; i < fds.Length; i++)
        {
            var p = body.Ports[i];
            ports[p.Name] = p.Kind switch
            {
                "tap" => TapPort.Adopt(fds[i], p.Name),
                "vxlan" => Fabric.Datapath.Ports.Vxlan.VxlanEndpoint.Adopt(fds[i], p.Name),
                _ => AfPacketPort.Adopt(fds[i], p.Name),
            };
        }

        return ports;
    }

    /// <summary>The table is restored: asks the predecessor to stop reading the ports and waits until it has.</summary>
    /// <exception cref="IOException">The predecessor did not confirm.</exception>
    public async Task ReadyAsync()
    {
        using var cts = new CancellationTokenSource(StepTimeout);
        await _channel.SendAsync("ready", cts.Token).ConfigureAwait(false);
        var reply = await _channel.ReceiveAsync(cts.Token).ConfigureAwait(false);
        if (reply != "stopped")
        {
            throw new IOException($"takeover: the running node answered {(reply is null ? "nothing" : "'" + reply + "'")} to ready");
        }

        StoppedAt = Stopwatch.GetTimestamp();
        Duration = _clock.Elapsed;
    }

    /// <summary>Tells the predecessor this node forwards now (it may exit) and closes the connection.</summary>
    public async Task CompleteAsync(string summary)
    {
        using var cts = new CancellationTokenSource(StepTimeout);
        try
        {
            await _channel.SendAsync("forwarding " + summary, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            _channel.Dispose();
        }
    }

    /// <summary>Tells the predecessor the takeover failed (it keeps forwarding) and closes the connection. Never throws.</summary>
    public async Task FailAsync(string error)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _channel.SendAsync("error " + error.ReplaceLineEndings(" "), cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The predecessor is gone or not listening: nothing else to tell.
        }
        finally
        {
            _channel.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
