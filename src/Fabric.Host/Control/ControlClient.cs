using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;

namespace Fabric.Host.Control;

/// <summary>
/// The client side of the control socket, used by <c>fabric ctl</c> (the ovs-appctl of Fabric): one
/// connection per request, one request line out, one reply line back.
/// </summary>
public static class ControlClient
{
    /// <summary>
    /// Sends one command to the node listening on <paramref name="socketPath"/> and returns its reply.
    /// Failures to reach or talk to the node come back as a one-line <see cref="ControlReply.Error(string)"/>
    /// rather than an exception, e.g. <c>cannot connect to fabric at /run/fabric/fabric.ctl: No such file
    /// or directory — is `fabric run` running?</c>.
    /// </summary>
    /// <param name="socketPath">The node's control socket.</param>
    /// <param name="command">The command name, e.g. <c>fdb/show</c>.</param>
    /// <param name="args">The command's arguments, verbatim.</param>
    /// <param name="timeout">How long to wait for connecting, sending and the whole reply; must be positive.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The node's reply, or a local error reply (status 2).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public static async Task<ControlReply> SendAsync(
        string socketPath,
        string command,
        IReadOnlyList<string> args,
        TimeSpan timeout,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);

        byte[] request = JsonSerializer.SerializeToUtf8Bytes(
            new ControlRequest(command, args), ControlJsonContext.Wire.ControlRequest);
        if (request.Length > ControlProtocol.MaxRequestBytes)
        {
            return ControlReply.Error(
                $"request is {request.Length} bytes; the limit is {ControlProtocol.MaxRequestBytes} bytes");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        ControlReply? connectError = await ConnectAsync(socket, socketPath, deadline.Token, ct, timeout).ConfigureAwait(false);
        if (connectError is not null)
        {
            return connectError;
        }

        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            byte[] frame = new byte[request.Length + 1];
            request.CopyTo(frame, 0);
            frame[^1] = ControlProtocol.LineFeed;
            await stream.WriteAsync(frame, deadline.Token).ConfigureAwait(false);
            await stream.FlushAsync(deadline.Token).ConfigureAwait(false);
            return await ReadReplyAsync(stream, socketPath, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ControlReply.Error(
                $"no reply from fabric at {socketPath} within {FormatSeconds(timeout)} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            string reason = ex is IOException { InnerException: SocketException inner } ? Describe(inner) : ex.Message;
            return ControlReply.Error($"error talking to fabric at {socketPath}: {reason}");
        }
    }

    private static async Task<ControlReply?> ConnectAsync(
        Socket socket, string socketPath, CancellationToken deadline, CancellationToken ct, TimeSpan timeout)
    {
        try
        {
            if (!File.Exists(socketPath) && !Directory.Exists(socketPath))
            {
                return CannotConnect(socketPath, "No such file or directory");
            }

            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline).ConfigureAwait(false);
            return null;
        }
        catch (SocketException ex)
        {
            return CannotConnect(socketPath, Describe(ex));
        }
        catch (ArgumentOutOfRangeException)
        {
            return CannotConnect(socketPath, "socket path is too long");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return CannotConnect(socketPath, $"timed out after {FormatSeconds(timeout)} s");
        }
    }

    private static async Task<ControlReply> ReadReplyAsync(NetworkStream stream, string socketPath, CancellationToken ct)
    {
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(ct).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                SequencePosition? newline = buffer.PositionOf(ControlProtocol.LineFeed);
                ReadOnlySequence<byte> line;
                if (newline is not null)
                {
                    line = buffer.Slice(0, newline.Value);
                }
                else if (buffer.Length > ControlProtocol.MaxReplyBytes)
                {
                    return ControlReply.Error(
                        $"reply from fabric at {socketPath} exceeds {ControlProtocol.MaxReplyBytes} bytes");
                }
                else if (read.IsCompleted)
                {
                    if (buffer.IsEmpty)
                    {
                        return ControlReply.Error($"fabric at {socketPath} closed the connection without a reply");
                    }

                    line = buffer;
                }
                else
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                return ParseReply(line, socketPath);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static ControlReply ParseReply(ReadOnlySequence<byte> line, string socketPath)
    {
        ControlReply? reply;
        try
        {
            var json = new Utf8JsonReader(line);
            reply = JsonSerializer.Deserialize(ref json, ControlJsonContext.Wire.ControlReply);
        }
        catch (JsonException ex)
        {
            return ControlReply.Error($"malformed reply from fabric at {socketPath}: {ex.Message}");
        }

        if (reply is null)
        {
            return ControlReply.Error($"malformed reply from fabric at {socketPath}: null");
        }

        string output = reply.Output ?? string.Empty;
        return reply.Status == ControlReply.StatusOk ? ControlReply.Ok(output) : ControlReply.Error(output);
    }

    private static ControlReply CannotConnect(string socketPath, string reason) =>
        ControlReply.Error($"cannot connect to fabric at {socketPath}: {reason} — is `fabric run` running?");

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable => "No such file or directory",
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.AccessDenied => "Permission denied",
        SocketError.ConnectionReset => "Connection reset by peer",
        SocketError.Shutdown => "Broken pipe",
        _ => ex.Message,
    };

    private static string FormatSeconds(TimeSpan timeout) =>
        timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
