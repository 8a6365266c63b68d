namespace Fabric.Datapath.Forwarding;

/// <summary>
/// Counters kept one row per writing thread in one <c>long[]</c>, so that no cache line is written by two poll threads
/// (OVS keeps its per-PMD statistics the same way: each PMD thread adds to its own counters with plain stores and
/// readers sum over the threads). Row 0 is the shared row, added to with <see cref="Interlocked"/> by any thread; rows
/// 1..writers belong to one writer each (a poll thread's <see cref="Buffers.PacketBatch.Writer"/>, 1 + its index), which
/// adds with a plain read and a volatile write. At least 64 bytes (one cache line) lie before the first row and between
/// the counters of two rows, whatever the array's alignment.
/// </summary>
internal static class CounterRows
{
    /// <summary>Longs before row 0: keeps it off the line of the array header and of the object allocated before it.</summary>
    public const int Lead = 8;

    // The poll thread running on this thread, as its writer row (1 + index); 0 on every other thread.
    [ThreadStatic]
    private static int t_writer;

    /// <summary>
    /// The writer row of the poll thread running on the calling thread (1 + its index), or 0 (the shared row) on any
    /// other thread. Set by the poll thread when it starts; lets counters whose callers pass no writer (a port's
    /// <see cref="Ports.PortCounters.AddRx(long, long)"/>) still count each poll thread in its own row.
    /// </summary>
    public static int CurrentWriter
    {
        get => t_writer;
        set => t_writer = value;
    }

    /// <summary>Longs from one row to the next for rows of <paramref name="counters"/> counters: rounded up to 4, plus 8 of padding.</summary>
    public static int Stride(int counters) => ((counters + 3) & ~3) + 8;

    /// <summary>A zeroed array for the shared row and <paramref name="writers"/> writer rows of <paramref name="counters"/> counters.</summary>
    public static long[] Allocate(int writers, int counters) => new long[Lead + ((writers + 1) * Stride(counters))];

    /// <summary>
    /// Adds <paramref name="value"/> to counter <paramref name="counter"/> of <paramref name="writer"/>'s row: a plain
    /// add when 1 ≤ writer ≤ <paramref name="writers"/> (that writer's thread only), else an atomic add to the shared row.
    /// </summary>
    public static void Add(long[] cells, int writers, int counters, int writer, int counter, long value)
    {
        if ((uint)writer - 1 < (uint)writers)
        {
            ref long c = ref cells[Lead + (writer * Stride(counters)) + counter];
            Volatile.Write(ref c, c + value);
        }
        else
        {
            Interlocked.Add(ref cells[Lead + counter], value);
        }
    }

    /// <summary>Counter <paramref name="counter"/> of <paramref name="writer"/>'s row alone (0 = the shared row).</summary>
    public static long Get(long[] cells, int counters, int writer, int counter) =>
        Volatile.Read(ref cells[Lead + (writer * Stride(counters)) + counter]);

    /// <summary>Counter <paramref name="counter"/> summed over every row (monotonic counters: a read may be slightly stale, never torn).</summary>
    public static long Sum(long[] cells, int counters, int counter)
    {
        long total = 0;
        for (int i = Lead + counter; i < cells.Length; i += Stride(counters))
        {
            total += Volatile.Read(ref cells[i]);
        }

        return total;
    }
}
