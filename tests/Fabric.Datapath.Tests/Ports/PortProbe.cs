using System.Diagnostics;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>Bounded waits on real kernel events: poll(2) on the port's descriptor, never a fixed sleep.</summary>
internal static class PortProbe
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Receives from <paramref name="port"/> until a frame satisfies <paramref name="match"/> or the timeout passes.
    /// Every frame seen (matching or not) is passed to <paramref name="seen"/> first. Returns a copy of the match.
    /// </summary>
    public static byte[] ReceiveUntil(
        IDatapathPort port,
        PacketBatch batch,
        Func<byte[], bool> match,
        string what,
        Action<byte[]>? seen = null,
        TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan limit = timeout ?? DefaultTimeout;
        int frames = 0;
        while (clock.Elapsed < limit)
        {
            int n = port.Receive(batch);
            for (int i = 0; i < n; i++)
            {
                byte[] frame = batch.Frame(i).ToArray();
                frames++;
                seen?.Invoke(frame);
                if (match(frame))
                {
                    return frame;
                }
            }

            if (n == 0)
            {
                LibC.WaitReadable(port.PollFd, 100);
            }
        }

        throw new TimeoutException($"{port.Name}: no {what} within {limit.TotalSeconds} s ({frames} other frames received)");
    }

    /// <summary>Probes <paramref name="condition"/> (spinning, then yielding) until it holds or the timeout passes.</summary>
    public static void WaitUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        // A kernel state change with no descriptor to wait on (sysfs carrier): probe it, bounded.
        TimeSpan limit = timeout ?? DefaultTimeout;
        if (!SpinWait.SpinUntil(condition, limit))
        {
            throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds} s");
        }
    }

    /// <summary>Appends frames to a cleared batch.</summary>
    public static void Fill(PacketBatch batch, params byte[][] frames)
    {
        batch.Clear();
        foreach (byte[] f in frames)
        {
            if (!batch.TryAppend(f))
            {
                throw new InvalidOperationException("frame does not fit the batch");
            }
        }
    }

    /// <summary>Passes <paramref name="fd"/> over the socket pair (<see cref="FdPassing"/>) and returns the descriptor that arrives at the other end.</summary>
    public static int PassAndReceive((int Parent, int Child) pair, int fd)
    {
        Assert.Equal(4, FdPassing.Send(pair.Parent, "port"u8, [fd]));
        var payload = new byte[16];
        var fds = new int[FdPassing.MaxDescriptors];
        Assert.Equal(4, FdPassing.Receive(pair.Child, payload, fds, out int count));
        Assert.Equal(1, count);
        return fds[0];
    }
}
