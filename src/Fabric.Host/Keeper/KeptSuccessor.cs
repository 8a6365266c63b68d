using System.Diagnostics;
using System.Globalization;
using Fabric.Host.Node.Handover;

namespace Fabric.Host.Keeper;

/// <summary>
/// A restart's successor that the keeper started on the node's request (<see cref="KeeperLink.SpawnAsync"/>): the
/// keeper is its parent and says on the spawn connection when it exits (<c>exited CODE</c>), which is how the node
/// learns of a successor that died before it could take over.
/// </summary>
internal sealed class KeptSuccessor : ISuccessor
{
    private readonly HandoverChannel _channel;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public KeptSuccessor(int pid, HandoverChannel channel)
    {
        Id = pid;
        _channel = channel;
        _ = WatchAsync();
    }

    /// <inheritdoc />
    public int Id { get; }

    /// <inheritdoc />
    public bool HasExited => _exit.Task.IsCompleted;

    /// <inheritdoc />
    public int ExitCode => _exit.Task.IsCompletedSuccessfully ? _exit.Task.Result : -1;

    /// <inheritdoc />
    public Task WaitForExitAsync(CancellationToken ct) => _exit.Task.WaitAsync(ct);

    /// <inheritdoc />
    public void Kill()
    {
        if (HasExited)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(Id);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();

    private async Task WatchAsync()
    {
        try
        {
            var message = await _channel.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            if (message is not null && message.StartsWith("exited ", StringComparison.Ordinal)
                && int.TryParse(message.AsSpan("exited ".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            {
                _exit.TrySetResult(code);
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is gone (disposed after the hand-over, or the keeper died): no exit to report.
        }
    }
}
