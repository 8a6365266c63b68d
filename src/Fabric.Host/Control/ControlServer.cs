using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Fabric.Host.Control;

/// <summary>
/// The node's control channel: a Unix domain stream socket on which <c>fabric ctl</c> sends
/// <see cref="ControlRequest"/> lines and reads <see cref="ControlReply"/> lines (protocol in
/// <see cref="ControlProtocol"/>), like ovs-vswitchd's unixctl server behind ovs-appctl.
/// </summary>
/// <remarks>
/// <para>On start it creates the socket's parent directory, removes a stale socket file (one nobody
/// listens on any more), binds, restricts the file to its owner (mode 0600) before listening, then
/// accepts any number of clients concurrently; each connection is served by its own task, requests on
/// one connection one after the other.</para>
/// <para><see cref="DisposeAsync"/> stops accepting, closes idle connections, lets requests already
/// running finish for up to <see cref="DrainTimeout"/> (so the reply to <c>exit</c> still reaches its
/// client), then cancels the rest and deletes the socket file. A handler must not await the
/// <see cref="DisposeAsync"/> of its own server; it should signal the host to stop instead.</para>
/// </remarks>
public sealed partial class ControlServer : IAsyncDisposable
{
    /// <summary>How long <see cref="DisposeAsync"/> waits for requests already running (2 s).</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private const int ListenBacklog = 64;
    private const long LingerMaxBytes = 1024 * 1024;
    private static readonly TimeSpan LingerTimeout = TimeSpan.FromSeconds(1);

    private readonly ControlCommandRegistry _registry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _abortRequests = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private volatile bool _pathReleased;
    private Task? _acceptLoop;
    private long _nextConnectionId;
    private int _state; // 0 = new, 1 = started, 2 = disposed

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="socketPath">The path of the Unix domain socket file, e.g. <c>/run/fabric/fabric.ctl</c>.</param>
    /// <param name="registry">The commands to answer.</param>
    /// <param name="logger">Receives connection and lifecycle messages.</param>
    /// <exception cref="ArgumentException"><paramref name="socketPath"/> is empty.</exception>
    public ControlServer(string socketPath, ControlCommandRegistry registry, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(logger);
        SocketPath = Path.GetFullPath(socketPath);
        _registry = registry;
        _logger = logger;
    }

    /// <summary>The absolute path of the socket file.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Binds and starts listening; returns once clients can connect. Serving goes on in the
    /// background until <see cref="DisposeAsync"/>.
    /// </summary>
    /// <param name="ct">Cancels the start only; it does not stop a started server.</param>
    /// <returns>A task that completes when the socket is listening.</returns>
    /// <exception cref="InvalidOperationException">Already started or disposed, or another process is listening on the path.</exception>
    /// <exception cref="IOException">The path is a directory or the socket cannot be created (the message names the path).</exception>
    public async Task StartAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"control server on {SocketPath} was already started or disposed");
        }

        ct.ThrowIfCancellationRequested();
        string? directory = Path.GetDirectoryName(SocketPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await RemoveStaleSocketAsync(ct).ConfigureAwait(false);

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(ListenBacklog);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on control socket {SocketPath}: {ex.Message}", ex);
        }

        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
        LogListening(_logger, SocketPath);
    }

    /// <summary>
    /// Stops accepting connections and deletes the socket file, but lets the connections already open finish (a
    /// restart: the reply to <c>restart</c> still goes out while the successor binds the same path).
    /// <see cref="DisposeAsync"/> then leaves the path alone.
    /// </summary>
    public void ReleasePath()
    {
        if (_listener is null || _pathReleased)
        {
            return;
        }

        _pathReleased = true;
        _stopAccepting.Cancel();
        _listener.Dispose();
        TryDeleteSocketFile();
    }

    /// <summary>Stops the server (see the type remarks) and deletes the socket file. Safe to call twice.</summary>
    /// <returns>A task that completes when every connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task drained = Task.WhenAll(_connections.Values);
        if (!drained.IsCompleted)
        {
            await Task.WhenAny(drained, Task.Delay(DrainTimeout)).ConfigureAwait(false);
        }

        await _abortRequests.CancelAsync().ConfigureAwait(false);
        if (!drained.IsCompleted)
        {
            // Handlers that ignore cancellation get a last short grace period; they are abandoned after it.
            await Task.WhenAny(Task.WhenAll(_connections.Values), Task.Delay(DrainTimeout)).ConfigureAwait(false);
        }

        if (_listener is not null && !_pathReleased)
        {
            // Only a server that bound the path deletes it: a failed start must not remove the
            // socket of the live process that made it fail.
            TryDeleteSocketFile();
            LogStopped(_logger, SocketPath);
        }

        if (_connections.IsEmpty)
        {
            // Abandoned handlers may still hold these tokens; only then are they left to the GC.
            _stopAccepting.Dispose();
            _abortRequests.Dispose();
        }
    }

    private async Task RemoveStaleSocketAsync(CancellationToken ct)
    {
        if (Directory.Exists(SocketPath))
        {
            throw new IOException($"cannot listen on control socket {SocketPath}: it is a directory");
        }

        if (!File.Exists(SocketPath))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"another process is already listening on control socket {SocketPath}");
            }
            catch (SocketException)
            {
                // Nobody accepts on it: a leftover of a process that died. Safe to replace.
            }
        }

        File.Delete(SocketPath);
        LogRemovedStale(_logger, SocketPath);
    }

    private void TryDeleteSocketFile()
    {
        try
        {
            File.Delete(SocketPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(_logger, SocketPath, ex);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        CancellationToken stop = _stopAccepting.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE and friends: log, back off briefly and keep serving.
                LogAcceptFailed(_logger, SocketPath, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            long id = Interlocked.Increment(ref _nextConnectionId);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task connection = ServeConnectionAsync(id, client, started.Task);
            _connections[id] = connection;
            started.SetResult();
        }
    }

    private async Task ServeConnectionAsync(long id, Socket client, Task registered)
    {
        // Run off the accept loop's stack, and only after the task is in _connections so that the
        // removal in finally cannot precede the insertion.
        await registered.ConfigureAwait(false);
        CancellationToken idle = _stopAccepting.Token;
        CancellationToken abort = _abortRequests.Token;
        var stream = new NetworkStream(client, ownsSocket: true);
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        LogConnectionOpened(_logger, id);
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(idle).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                SequencePosition? newline = buffer.PositionOf(ControlProtocol.LineFeed);
                if (newline is null)
                {
                    if (buffer.Length > ControlProtocol.MaxRequestBytes)
                    {
                        reader.AdvanceTo(buffer.End);
                        await RejectOversizedAsync(id, stream, reader, abort).ConfigureAwait(false);
                        return;
                    }

                    if (read.IsCompleted)
                    {
                        // The peer closed its side; a final line without '\n' is still a request.
                        if (!IsBlank(buffer))
                        {
                            await AnswerAsync(buffer, stream, abort).ConfigureAwait(false);
                        }

                        return;
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                ReadOnlySequence<byte> line = buffer.Slice(0, newline.Value);
                if (line.Length > ControlProtocol.MaxRequestBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    await RejectOversizedAsync(id, stream, reader, abort).ConfigureAwait(false);
                    return;
                }

                if (!IsBlank(line))
                {
                    await AnswerAsync(line, stream, abort).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.GetPosition(1, newline.Value));
            }
        }
        catch (OperationCanceledException)
        {
            // Server stopping.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            LogConnectionFailed(_logger, id, ex);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            _connections.TryRemove(id, out _);
            LogConnectionClosed(_logger, id);
        }
    }

    private async Task AnswerAsync(ReadOnlySequence<byte> line, NetworkStream stream, CancellationToken abort)
    {
        ControlReply reply;
        ControlRequest? request = null;
        try
        {
            var json = new Utf8JsonReader(line);
            request = JsonSerializer.Deserialize(ref json, ControlJsonContext.Wire.ControlRequest);
        }
        catch (JsonException ex)
        {
            reply = ControlReply.Error($"malformed request: {ex.Message}");
            await WriteReplyAsync(stream, reply, abort).ConfigureAwait(false);
            return;
        }

        if (request is null)
        {
            reply = ControlReply.Error("malformed request: expected a JSON object with \"command\" and \"args\"");
        }
        else
        {
            LogRequest(_logger, request.Command, request.Args?.Count ?? 0);
            reply = await _registry.ExecuteAsync(request, abort).ConfigureAwait(false);
        }

        await WriteReplyAsync(stream, reply, abort).ConfigureAwait(false);
    }

    private async Task RejectOversizedAsync(long id, NetworkStream stream, PipeReader reader, CancellationToken abort)
    {
        LogOversized(_logger, id, ControlProtocol.MaxRequestBytes);
        ControlReply reply = ControlReply.Error(
            $"request too long: the limit is {ControlProtocol.MaxRequestBytes} bytes per request line");
        await WriteReplyAsync(stream, reply, abort).ConfigureAwait(false);
        stream.Socket.Shutdown(SocketShutdown.Send);

        // Lingering close: closing a Unix socket with unread input resets the peer (ECONNRESET), which
        // could make it lose the reply. Discard what is still arriving, for a bounded time and amount.
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(abort);
        linger.CancelAfter(LingerTimeout);
        long discarded = 0;
        try
        {
            while (discarded < LingerMaxBytes)
            {
                ReadResult read = await reader.ReadAsync(linger.Token).ConfigureAwait(false);
                discarded += read.Buffer.Length;
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The peer kept the connection open: close it anyway.
        }
    }

    private static async Task WriteReplyAsync(NetworkStream stream, ControlReply reply, CancellationToken ct)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(reply, ControlJsonContext.Wire.ControlReply);
        byte[] frame = new byte[json.Length + 1];
        json.CopyTo(frame, 0);
        frame[^1] = ControlProtocol.LineFeed;
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (ReadOnlyMemory<byte> segment in line)
        {
            foreach (byte b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "control socket listening on {Path}")]
    private static partial void LogListening(ILogger logger, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "control socket {Path} closed")]
    private static partial void LogStopped(ILogger logger, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "removed stale control socket {Path}")]
    private static partial void LogRemovedStale(ILogger logger, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "could not delete control socket {Path}")]
    private static partial void LogDeleteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "accept failed on control socket {Path}")]
    private static partial void LogAcceptFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "control connection {Id} opened")]
    private static partial void LogConnectionOpened(ILogger logger, long id);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "control connection {Id} closed")]
    private static partial void LogConnectionClosed(ILogger logger, long id);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "control connection {Id} failed")]
    private static partial void LogConnectionFailed(ILogger logger, long id, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "control connection {Id} sent a request over {Limit} bytes; closing it")]
    private static partial void LogOversized(ILogger logger, long id, int limit);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "control request '{Command}' with {ArgCount} argument(s)")]
    private static partial void LogRequest(ILogger logger, string command, int argCount);
}
