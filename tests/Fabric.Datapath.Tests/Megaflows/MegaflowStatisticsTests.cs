using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Tests.Support;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;

namespace Fabric.Datapath.Tests.Megaflows;

/// <summary>A megaflow's statistics: one slot per poll thread and a restored base, summed (packets, bytes), latest (last use) or ORed (TCP flags).</summary>
public sealed class MegaflowStatisticsTests
{
    private static Megaflow Install(int pollThreads) =>
        new MegaflowTable { PollThreads = pollThreads }.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(2));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Slots_and_the_restored_base_add_up(int pollThreads)
    {
        Megaflow flow = Install(pollThreads);
        Assert.Equal(pollThreads, flow.StatisticsSlots);
        Assert.Equal(0, flow.LastUsedMs);

        flow.RestoreStatistics(100, 10_000, 500, 0x010);
        for (int t = 0; t < pollThreads; t++)
        {
            flow.AddHit(t, 60 + t, (ushort)(0x001 << t), 1000 + t);
            flow.AddHit(t, 60 + t, 0, 900);
        }

        Assert.Equal(100 + (2 * pollThreads), flow.Packets);
        Assert.All(Enumerable.Range(0, pollThreads), t => Assert.Equal(2, flow.SlotPackets(t)));
        Assert.Equal(10_000 + Enumerable.Range(0, pollThreads).Sum(t => 2 * (60 + t)), flow.Bytes);
        Assert.Equal(1000 + pollThreads - 1, flow.LastUsedMs);
        Assert.Equal(0x010 | ((1 << pollThreads) - 1), flow.TcpFlags);
    }

    [Fact]
    public void A_thread_without_a_slot_is_counted_in_the_base()
    {
        Megaflow flow = Install(1);

        flow.AddHit(5, 64, 0x002, 2000);
        flow.AddHit(0, 64, 0x010, 1000);

        Assert.Equal(2, flow.Packets);
        Assert.Equal(1, flow.SlotPackets(0));
        Assert.Equal(128, flow.Bytes);
        Assert.Equal(2000, flow.LastUsedMs);
        Assert.Equal(0x012, flow.TcpFlags);
    }

    [Fact]
    public void Threads_on_their_own_slots_lose_no_count()
    {
        const int PerThread = 500_000;
        Megaflow flow = Install(4);
        var threads = new Thread[4];
        using var start = new Barrier(threads.Length);
        for (int t = 0; t < threads.Length; t++)
        {
            int slot = t;
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < PerThread; i++)
                {
                    flow.AddHit(slot, 64, 0, i);
                }
            });
            threads[t].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Assert.Equal(4L * PerThread, flow.Packets);
        Assert.Equal(4L * 64 * PerThread, flow.Bytes);
        Assert.Equal(PerThread - 1, flow.LastUsedMs);
        Assert.All(Enumerable.Range(0, 4), t => Assert.Equal(PerThread, flow.SlotPackets(t)));
    }
}
