using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Tests.Support;
using Xunit;
using static Fabric.Datapath.Tests.Support.Frames;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Datapath.Tests.Forwarding;

/// <summary>Several poll threads: per-thread statistics that sum exactly, ports spread over the threads, port changes while running.</summary>
public sealed class PollThreadTests
{
    private const ushort Syn = 0x002;
    private const ushort Fin = 0x001;

    [Fact]
    public void Two_poll_threads_hitting_one_megaflow_count_every_packet_byte_and_flag()
    {
        const int PerThread = 20_000;
        using var dp = new Dp(new DatapathOptions { PollThreads = 2, EmcInsertInvProb = 1 }, TimeProvider.System);
        using var a = new MemoryPort("a");
        using var b = new MemoryPort("b");
        using var sink = new MemoryPort("sink");
        dp.AddPort(a);
        dp.AddPort(b);
        dp.AddPort(sink);
        Assert.Equal(0, dp.PollThreadOf(1));
        Assert.Equal(1, dp.PollThreadOf(2));

        // One megaflow for every IPv4 frame of either port: both threads write its statistics at once.
        var wc = default(FlowWildcards);
        wc.UnwildcardDlType();
        Megaflow flow = dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), wc.ToMask(), DatapathActions.OutputTo(3));
        byte[] fromA = Eth(MacB, MacA, 0x0800, Ipv4(6, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), Tcp(1000, 80, Syn)));
        byte[] fromB = Eth(MacA, MacB, 0x0800, Ipv4(6, Ip(10, 0, 0, 2), Ip(10, 0, 0, 1), Tcp(80, 1000, Fin, payload: 100)));
        for (int i = 0; i < PerThread; i++)
        {
            a.Inject(fromA);
            b.Inject(fromB);
        }

        dp.Start();
        Assert.True(SpinWait.SpinUntil(() => sink.SentCount == 2 * PerThread, TimeSpan.FromSeconds(20)), $"sink got {sink.SentCount} frames");
        dp.Stop();

        Assert.Equal(2 * PerThread, flow.Packets);
        Assert.Equal(PerThread, flow.SlotPackets(0));
        Assert.Equal(PerThread, flow.SlotPackets(1));
        Assert.Equal(PerThread * (long)(fromA.Length + fromB.Length), flow.Bytes);
        Assert.Equal(Syn | Fin, flow.TcpFlags);
        Assert.True(flow.LastUsedMs > 0);
        Assert.Equal(2 * PerThread, dp.Stats.Hits);
        Assert.Equal(PerThread, dp.Stats.ForPollThread(0).Hits);
        Assert.Equal(PerThread, dp.Stats.ForPollThread(1).Hits);
        Assert.Equal(PerThread, dp.Stats.ForPollThread(1).Received);
        Assert.Equal(2 * PerThread, sink.Counters.TxPackets);
        Assert.Equal(PerThread, a.Counters.RxPackets);
    }

    [Fact]
    public void Parse_drops_are_counted_per_poll_thread_and_summed()
    {
        using var dp = new Dp(new DatapathOptions { PollThreads = 2 }, TimeProvider.System);
        using var a = new MemoryPort("a");
        using var b = new MemoryPort("b");
        dp.AddPort(a);
        dp.AddPort(b);
        for (int i = 0; i < 5; i++)
        {
            a.Inject(new byte[5]);
        }

        for (int i = 0; i < 7; i++)
        {
            b.Inject(new byte[9]);
        }

        b.Inject(Eth(MacA, MacB, 0x0800, new byte[10]));

        dp.RunOnce();

        Assert.Equal(12, dp.Stats.ParseDrops.Get(DropReason.TooShort));
        Assert.Equal(1, dp.Stats.ParseDrops.Get(DropReason.TruncatedIpv4));
        Assert.Equal(13, dp.Stats.ParseDrops.Total);
        Assert.Equal(5, dp.Stats.ForPollThread(0).ParseDrops);
        Assert.Equal(8, dp.Stats.ForPollThread(1).ParseDrops);
        Assert.Equal(7, dp.Stats.ParseDrops.Get(2, DropReason.TooShort));
        Assert.Equal(0, dp.Stats.ParseDrops.Get(0, DropReason.TooShort));
    }

    [Fact]
    public void Receiving_ports_are_spread_round_robin_and_a_later_port_goes_to_the_least_loaded_thread()
    {
        using var dp = new Dp(new DatapathOptions { PollThreads = 2 }, TimeProvider.System);
        var ports = new List<MemoryPort>();
        try
        {
            for (int i = 1; i <= 4; i++)
            {
                var p = new MemoryPort($"p{i}");
                ports.Add(p);
                dp.AddPort(p);
            }

            Assert.Equal([1, 3], dp.PortsOfPollThread(0));
            Assert.Equal([2, 4], dp.PortsOfPollThread(1));

            // Thread 0 loses two ports; the next two go to it, the one after that to either (tie: the lowest thread).
            dp.RemovePort(1);
            dp.RemovePort(3);
            foreach (string name in new[] { "p5", "p6", "p7" })
            {
                var p = new MemoryPort(name);
                ports.Add(p);
                dp.AddPort(p);
            }

            Assert.Equal([1, 3, 5], dp.PortsOfPollThread(0));
            Assert.Equal([2, 4], dp.PortsOfPollThread(1));
            Assert.Equal(-1, dp.PollThreadOf(9));
            Assert.Throws<ArgumentOutOfRangeException>(() => dp.PortsOfPollThread(2));

            // Each thread receives only on its own ports.
            ports[1].Inject(Udp64(MacA, MacB, 1, 2, 3, 4));
            dp.RunOnce();
            Assert.Equal(0, dp.Stats.ForPollThread(0).Received);
            Assert.Equal(1, dp.Stats.ForPollThread(1).Received);
        }
        finally
        {
            foreach (MemoryPort p in ports)
            {
                p.Dispose();
            }
        }
    }

    [Fact]
    public void Ports_added_and_removed_while_two_threads_forward_keep_forwarding_exact()
    {
        using var dp = new Dp(new DatapathOptions { PollThreads = 2 }, TimeProvider.System);
        using var a = new MemoryPort("a");
        using var sink = new MemoryPort("sink");
        using var late = new MemoryPort("late");
        dp.AddPort(a, 1);
        dp.AddPort(sink, 2);
        var wc = default(FlowWildcards);
        wc.UnwildcardDlType();
        Megaflow flow = dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), wc.ToMask(), DatapathActions.OutputTo(2));
        dp.Start();

        for (int i = 0; i < 1000; i++)
        {
            a.Inject(Udp64(MacA, MacB, 1, 2, (ushort)i, 4));
        }

        Assert.Equal(3, dp.AddPort(late));
        Assert.Equal(0, dp.PollThreadOf(3));
        for (int i = 0; i < 1000; i++)
        {
            late.Inject(Udp64(MacA, MacB, 1, 2, (ushort)i, 5));
        }

        Assert.True(SpinWait.SpinUntil(() => sink.SentCount == 2000, TimeSpan.FromSeconds(20)), $"sink got {sink.SentCount} frames");

        // Once RemovePort returns no thread receives on the port any more: what is injected afterwards stays queued.
        Assert.True(dp.RemovePort(1));
        a.Inject(Udp64(MacA, MacB, 1, 2, 3, 4));
        late.Inject(Udp64(MacA, MacB, 1, 2, 3, 4));
        Assert.True(SpinWait.SpinUntil(() => sink.SentCount == 2001, TimeSpan.FromSeconds(20)), $"sink got {sink.SentCount} frames");
        dp.Stop();

        Assert.Equal(1, a.PendingReceive);
        Assert.Equal(2001, flow.Packets);
        Assert.Equal(2001, dp.Stats.Hits);
    }
}
