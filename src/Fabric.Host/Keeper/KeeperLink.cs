using System.Globalization;
using System.Text.Json;
using Fabric.Host.Node;
using Fabric.Host.Node.Handover;

namespace Fabric.Host.Keeper;

/// <summary>
/// A node's connection to the keeper that started it (<c>fabric run --keeper-socket SOCKET</c>, set by the keeper): the
/// node deposits its open port descriptors there once it forwards, says so before a <c>fabric ctl exit</c> (so that the
/// keeper ends with it instead of starting a new node), and has the keeper start the successor of a <c>fabric ctl
/// restart</c>.
/// </summary>
/// <remarks>
/// The keeper's socket is a Unix SOCK_SEQPACKET socket like the hand-over's, one text message per packet:
/// <list type="bullet">
/// <item><c>deposit JSON</c> (a <see cref="HandoverPorts"/>) with the descriptors attached (SCM_RIGHTS), answered
/// <c>kept KEEPER-PID N</c>; the connection stays open for the node's life;</item>
/// <item><c>exit</c> on that connection, answered <c>ok</c>: the node is about to exit cleanly;</item>
/// <item><c>spawn JSON</c> (a <see cref="SpawnRequest"/>) on a connection of its own, answered <c>spawned PID</c>, then
/// <c>exited CODE</c> if that process exits before it has taken over;</item>
/// <item>any request may be answered <c>error TEXT</c>.</item>
/// </list>
/// </remarks>
public sealed class KeeperLink : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);
    private readonly HandoverChannel _channel;
    private readonly SemaphoreSlim _requests = new(1, 1);

    private KeeperLink(string socketPath, HandoverChannel channel)
    {
        SocketPath = socketPath;
        _channel = channel;
    }

    /// <summary>The keeper's socket.</summary>
    public string SocketPath { get; }

    /// <summary>The keeper's process id (from its answer to the deposit; 0 before).</summary>
    public int KeeperPid { get; private set; }

    /// <summary>How many port descriptors the keeper holds for this node (from its answer to the deposit).</summary>
    public int Kept { get; private set; }

    /// <summary>Connects to the keeper at <paramref name="socketPath"/> and deposits the descriptors of <paramref name="ports"/>.</summary>
    /// <param name="socketPath">The keeper's socket (<c>--keeper-socket</c>).</param>
    /// <param name="ports">The node's ports, in the order of <paramref name="fds"/>.</param>
    /// <param name="fds">Their descriptors; the node keeps its own, the keeper receives copies.</param>
    /// <exception cref="IOException">Nobody listens there, or the keeper refused the deposit (its reason in the message).</exception>
    public static async Task<KeeperLink> DepositAsync(string socketPath, IReadOnlyList<HandedOverPort> ports, int[] fds)
    {
        ArgumentNullException.ThrowIfNull(fds);
        var link = new KeeperLink(socketPath, Connect(socketPath));
        try
        {
            var body = JsonSerializer.Serialize(new HandoverPorts(ports, -1, Environment.ProcessId));
            link._channel.SendWithDescriptors("deposit " + body, fds);
            var reply = await ReceiveAsync(link._channel).ConfigureAwait(false);
            var words = reply?.Split(' ') ?? [];
            if (words.Length != 3 || words[0] != "kept")
            {
                throw new IOException($"the keeper at {socketPath} answered the deposit with {Quoted(reply)}");
            }

            link.KeeperPid = int.Parse(words[1], CultureInfo.InvariantCulture);
            link.Kept = int.Parse(words[2], CultureInfo.InvariantCulture);
            return link;
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }

    /// <summary>Tells the keeper this node exits cleanly (<c>fabric ctl exit</c>): the keeper then ends with it. Never throws.</summary>
    /// <returns>Null when the keeper acknowledged, else why not.</returns>
    public async Task<string?> AnnounceExitAsync()
    {
        await _requests.WaitAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(ReplyTimeout);
            await _channel.SendAsync("exit", cts.Token).ConfigureAwait(false);
            var reply = await ReceiveAsync(_channel).ConfigureAwait(false);
            return reply == "ok" ? null : $"the keeper answered {Quoted(reply)}";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return e.Message;
        }
        finally
        {
            _requests.Release();
        }
    }

    /// <summary>
    /// Has the keeper start <paramref name="command"/> <c>--takeover <paramref name="takeoverSocket"/></c> (and its own
    /// <c>--keeper-socket</c>) as its child: the successor of a restart, which the keeper watches once it has taken over.
    /// </summary>
    /// <exception cref="IOException">The keeper is gone or could not start it (its reason in the message).</exception>
    internal async Task<KeptSuccessor> SpawnAsync(FabricCommand command, string takeoverSocket)
    {
        var channel = Connect(SocketPath);
        try
        {
            using var cts = new CancellationTokenSource(ReplyTimeout);
            await channel.SendAsync("spawn " + JsonSerializer.Serialize(new SpawnRequest(command.File, command.Args, takeoverSocket)), cts.Token).ConfigureAwait(false);
            var reply = await ReceiveAsync(channel).ConfigureAwait(false);
            if (reply is null || !reply.StartsWith("spawned ", StringComparison.Ordinal)
                || !int.TryParse(reply.AsSpan("spawned ".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                throw new IOException($"the keeper did not start it: {Quoted(reply)}");
            }

            return new KeptSuccessor(pid, channel);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Dispose();
        _requests.Dispose();
    }

    private static HandoverChannel Connect(string socketPath)
    {
        try
        {
            return HandoverChannel.Connect(socketPath);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"keeper socket {socketPath}: {e.Message}", e);
        }
    }

    private static async Task<string?> ReceiveAsync(HandoverChannel channel)
    {
        using var cts = new CancellationTokenSource(ReplyTimeout);
        return await channel.ReceiveAsync(cts.Token).ConfigureAwait(false);
    }

    private static string Quoted(string? reply) => reply is null ? "nothing (it closed the connection)" : $"'{reply}'";
}
