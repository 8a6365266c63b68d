using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>Port counters: a shared atomic row and single-writer rows, summed on read.</summary>
public sealed class PortCountersTests
{
    [Fact]
    public void Every_row_adds_up_in_the_totals()
    {
        var c = new PortCounters(writers: 2);

        c.AddRx(10, 1000);
        c.AddRx(1, 2, 200);
        c.AddRx(2, 3, 300);
        c.AddTxResult(1, 4, 400, 1);
        c.AddTxResult(0, 5, 500, 0);
        c.AddRxDropped(2, 6);
        c.AddTxDropped(7);

        Assert.Equal(15, c.RxPackets);
        Assert.Equal(1500, c.RxBytes);
        Assert.Equal(9, c.TxPackets);
        Assert.Equal(900, c.TxBytes);
        Assert.Equal(6, c.RxDropped);
        Assert.Equal(8, c.TxDropped);
    }

    [Fact]
    public void A_writer_without_a_row_of_its_own_adds_to_the_shared_row()
    {
        var c = new PortCounters(writers: 0);

        c.AddTx(5, 1, 64);
        c.AddTx(-1, 1, 64);

        Assert.Equal(0, c.Writers);
        Assert.Equal(2, c.TxPackets);
        Assert.Equal(128, c.TxBytes);
    }

    [Fact]
    public void Writers_on_their_own_rows_and_on_the_shared_row_lose_no_count()
    {
        const int perThread = 200_000;
        var c = new PortCounters(writers: 3);
        var threads = new Thread[6];
        for (int t = 0; t < threads.Length; t++)
        {
            // Writers 1..3 have their own rows; writers 0, 4 and 5 share row 0 (atomically).
            int writer = t;
            threads[t] = new Thread(() =>
            {
                for (int i = 0; i < perThread; i++)
                {
                    c.AddRx(writer, 1, 2);
                }
            });
            threads[t].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Assert.Equal(6L * perThread, c.RxPackets);
        Assert.Equal(12L * perThread, c.RxBytes);
    }

    [Fact]
    public void The_row_count_is_bounded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortCounters(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortCounters(1025));
    }

    [Fact]
    public void Calls_without_a_writer_count_in_the_calling_poll_threads_row_and_lose_no_count()
    {
        const int perThread = 200_000;
        var c = new PortCounters();
        Assert.Equal(Fabric.Datapath.Forwarding.DatapathOptions.MaxPollThreads, c.Writers);
        var threads = new Thread[4];
        for (int t = 0; t < threads.Length; t++)
        {
            // Threads 0..2 act as poll threads 0..2 (writer rows 1..3); thread 3 is no poll thread (the shared row).
            int writer = t < 3 ? t + 1 : 0;
            threads[t] = new Thread(() =>
            {
                Fabric.Datapath.Forwarding.CounterRows.CurrentWriter = writer;
                for (int i = 0; i < perThread; i++)
                {
                    c.AddTxResult(1, 64, 0);
                    c.AddRx(1, 60);
                }
            });
            threads[t].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Assert.Equal(4L * perThread, c.TxPackets);
        Assert.Equal(4L * 64 * perThread, c.TxBytes);
        Assert.Equal(4L * 60 * perThread, c.RxBytes);
    }
}
