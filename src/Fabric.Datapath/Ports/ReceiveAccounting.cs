using System.Runtime.CompilerServices;
using Fabric.Datapath.Buffers;

namespace Fabric.Datapath.Ports;

/// <summary>
/// The end of every port's Receive call, in one place: the frames it took from a queue being measured after a
/// switch-over (<see cref="BacklogCounter"/>), the batch's count, and the port's rx and rx-dropped counters.
/// </summary>
internal static class ReceiveAccounting
{
    /// <summary>
    /// Sets <paramref name="batch"/>.Count to <paramref name="count"/> frames (<paramref name="bytes"/> bytes in all),
    /// adds them and <paramref name="dropped"/> refused frames to <paramref name="counters"/>, and records
    /// <paramref name="taken"/> frames read from the kernel (whether that emptied its queue) in
    /// <paramref name="backlog"/> while it counts. Returns <paramref name="count"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Complete(PacketBatch batch, PortCounters counters, BacklogCounter backlog, int count, long bytes, int dropped, int taken, bool emptied)
    {
        if (backlog.IsCounting)
        {
            backlog.Record(taken, emptied);
        }

        batch.Count = count;
        if (count > 0)
        {
            counters.AddRx(count, bytes);
        }

        if (dropped > 0)
        {
            counters.AddRxDropped(dropped);
        }

        return count;
    }
}
