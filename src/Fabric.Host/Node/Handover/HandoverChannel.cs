using System.Net.Sockets;
using System.Text;

namespace Fabric.Host.Node.Handover;

/// <summary>
/// One end of the Unix SOCK_SEQPACKET connection between a running node and its successor during a restart: text
/// messages, one per packet (<c>hello PID</c>, <c>ports JSON</c> with the port descriptors attached as SCM_RIGHTS,
/// <c>ready</c>, <c>stopped</c>, <c>forwarding</c>, <c>error TEXT</c>), so no framing is needed.
/// </summary>
internal sealed class HandoverChannel : IDisposable
{
    private const int MaxMessageBytes = 256 * 1024;
    private readonly Socket _socket;

    public HandoverChannel(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>The connection's file descriptor (for sendmsg/recvmsg with descriptors).</summary>
    public int Fd => (int)_socket.SafeHandle.DangerousGetHandle();

    /// <summary>Connects to the running node's handover socket at <paramref name="path"/>.</summary>
    /// <exception cref="SocketException">Nothing listens there.</exception>
    public static HandoverChannel Connect(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(path));
            return new HandoverChannel(s);
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Sends one text message.</summary>
    public async Task SendAsync(string message, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        await _socket.SendAsync(bytes, SocketFlags.None, ct).ConfigureAwait(false);
    }

    /// <summary>Receives one text message; null when the peer closed the connection.</summary>
    public async Task<string?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[MaxMessageBytes];
        var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
        return n == 0 ? null : Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Sends <paramref name="message"/> with <paramref name="fds"/> attached (SCM_RIGHTS, unix(7)).</summary>
    public void SendWithDescriptors(string message, ReadOnlySpan<int> fds) =>
        Fabric.Datapath.Ports.Native.FdPassing.Send(Fd, Encoding.UTF8.GetBytes(message), fds);

    /// <summary>Receives one message and the descriptors attached to it (close-on-exec); waits (up to 2 minutes) until it arrives.</summary>
    /// <exception cref="IOException">Nothing arrived in time, or recvmsg(2) failed.</exception>
    public (string? Message, int[] Fds) ReceiveWithDescriptors()
    {
        // The socket may be non-blocking (.NET makes it so once it was used asynchronously): wait for the message first.
        if (!_socket.Poll(TimeSpan.FromMinutes(2), SelectMode.SelectRead))
        {
            throw new IOException("takeover: the running node sent no ports within 2 minutes");
        }

        var buffer = new byte[MaxMessageBytes];
        Span<int> fds = stackalloc int[253];
        var n = Fabric.Datapath.Ports.Native.FdPassing.Receive(Fd, buffer, fds, out var count);
        return (n == 0 ? null : Encoding.UTF8.GetString(buffer, 0, n), fds[..count].ToArray());
    }

    public void Dispose() => _socket.Dispose();
}
