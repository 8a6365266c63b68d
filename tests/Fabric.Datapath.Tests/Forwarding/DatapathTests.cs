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

public sealed class DatapathTests : IDisposable
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly MemoryPort _p1 = new("p1");
    private readonly MemoryPort _p2 = new("p2");
    private readonly MemoryPort _p3 = new("p3");
    private readonly Dp _dp;

    public DatapathTests()
    {
        _dp = new Dp(new DatapathOptions { EmcInsertInvProb = 1, PollTimeoutMs = 5 }, _time);
        Assert.Equal(1, _dp.AddPort(_p1));
        Assert.Equal(2, _dp.AddPort(_p2));
        Assert.Equal(3, _dp.AddPort(_p3));
    }

    public void Dispose()
    {
        _dp.Dispose();
        _p1.Dispose();
        _p2.Dispose();
        _p3.Dispose();
    }

    private static List<byte[]> TakeAll(MemoryPort port)
    {
        var list = new List<byte[]>();
        while (port.TryTakeSent(out byte[] f))
        {
            list.Add(f);
        }

        return list;
    }

    [Fact]
    public void A_miss_becomes_an_upcall_with_key_and_packet_copy()
    {
        byte[] frame = Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), 1000, 2000);
        _p1.Inject(frame);

        Assert.Equal(1, _dp.RunOnce());

        Assert.True(_dp.Upcalls.TryDequeue(out Upcall up));
        Assert.Equal(1, up.InPort);
        Assert.Equal(frame, up.Packet.ToArray());
        Assert.Equal(2000, up.Key.TpDst);
        Assert.Equal(1_700_000_000_000, up.ReceivedMs);
        Assert.Equal(1, _dp.Stats.Missed);
        Assert.Equal(0, _dp.Stats.Hits);
        Assert.Equal(0, _p2.SentCount + _p3.SentCount);
    }

    [Fact]
    public void After_install_frames_are_forwarded_and_counted()
    {
        byte[] frame = Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), 1000, 2000);
        _p1.Inject(frame);
        _dp.RunOnce();
        Assert.True(_dp.Upcalls.TryDequeue(out Upcall up));

        Megaflow flow = _dp.Flows.Install(up.Key, Masks.L2(), DatapathActions.OutputTo(2));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        for (int i = 0; i < 5; i++)
        {
            _p1.Inject(Udp64(MacA, MacB, Ip(10, 0, 0, 1), Ip(10, 0, 0, 2), (ushort)(1000 + i), 2000));
        }

        Assert.Equal(5, _dp.RunOnce());

        Assert.Equal(5, TakeAll(_p2).Count);
        Assert.Equal(0, _p3.SentCount);
        Assert.Equal(5, flow.Packets);
        Assert.Equal(5 * 64, flow.Bytes);
        Assert.Equal(1_700_000_000_250, flow.LastUsedMs);
        Assert.Equal(5, _dp.Stats.Hits);
        Assert.Equal(1, _dp.Stats.Missed);
        Assert.Equal(0, _dp.Upcalls.Count);
    }

    [Fact]
    public void Repeated_packets_hit_the_exact_match_cache()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        _dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(3));
        for (int i = 0; i < 4; i++)
        {
            _p1.Inject(frame);
        }

        _dp.RunOnce();

        Assert.Equal(4, _dp.Stats.Hits);
        Assert.Equal(3, _dp.Stats.EmcHits); // first from the classifier, then the EMC (insert probability 1)
        Assert.Equal(1, _dp.Stats.MaskHits);
        Assert.Equal(4, _p3.SentCount);
    }

    [Fact]
    public void Removed_flow_stops_forwarding_even_when_cached()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);
        Megaflow f = _dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(3));
        _p1.Inject(frame);
        _p1.Inject(frame);
        _dp.RunOnce();
        Assert.Equal(2, _p3.SentCount);

        _dp.Flows.Remove(f);
        _p1.Inject(frame);
        _dp.RunOnce();

        Assert.Equal(2, _p3.SentCount);
        Assert.Equal(1, _dp.Stats.Missed);
    }

    [Fact]
    public void Packet_out_is_sent_with_its_actions()
    {
        byte[] frame = Udp64(MacA, MacB, 1, 2, 3, 4);

        _dp.Execute(1, frame, DatapathActions.Create([DatapathAction.Output(1), DatapathAction.PushVlanTag(10), DatapathAction.Output(2), DatapathAction.Output(3)]));
        Assert.Equal(1, _dp.PendingPacketOuts);
        _dp.RunOnce();

        Assert.Equal(0, _p1.SentCount); // output to the in_port is skipped
        byte[] tagged = Eth(MacB, MacA, 0x0800, frame.AsSpan(14), (0x8100, 10));
        Assert.Equal(tagged, Assert.Single(TakeAll(_p2)));
        Assert.Equal(tagged, Assert.Single(TakeAll(_p3)));
        Assert.Equal(0, _dp.PendingPacketOuts);
    }

    [Fact]
    public void Malformed_frames_are_counted_and_dropped_while_forwarding_continues()
    {
        _dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(2));
        byte[] good = Udp64(MacA, MacB, 1, 2, 3, 4);
        byte[] badIp = (byte[])good.Clone();
        badIp[14] = 0x43;
        _p1.Inject(good);
        _p1.Inject(new byte[5]);
        _p1.Inject(badIp);
        _p1.Inject(good.AsSpan(0, 20));
        _p1.Inject(good);

        _dp.RunOnce();

        Assert.Equal(2, _p2.SentCount);
        Assert.Equal(1, _dp.Stats.ParseDrops.Get(DropReason.TooShort));
        Assert.Equal(1, _dp.Stats.ParseDrops.Get(DropReason.BadIpv4Header));
        Assert.Equal(1, _dp.Stats.ParseDrops.Get(DropReason.TruncatedIpv4));
        Assert.Equal(3, _dp.Stats.ParseDrops.Total);
        Assert.Equal(0, _dp.Stats.Missed);
    }

    [Fact]
    public void Misses_beyond_the_upcall_queue_are_lost()
    {
        using var dp = new Dp(new DatapathOptions { UpcallQueueCapacity = 2 }, _time);
        using var port = new MemoryPort("x");
        dp.AddPort(port);
        for (int i = 0; i < 5; i++)
        {
            port.Inject(Udp64(MacA, MacB, 1, 2, (ushort)i, 4));
        }

        dp.RunOnce();

        Assert.Equal(5, dp.Stats.Missed);
        Assert.Equal(3, dp.Stats.Lost);
        Assert.Equal(2, dp.Upcalls.Count);
    }

    [Fact]
    public void Userspace_action_forwards_and_sends_the_packet_up()
    {
        _dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.Create([DatapathAction.Output(2), DatapathAction.Userspace()]));
        _p1.Inject(Udp64(MacA, MacB, 1, 2, 3, 4));

        _dp.RunOnce();

        Assert.Equal(1, _p2.SentCount);
        Assert.Equal(1, _dp.Upcalls.Count);
        Assert.Equal(1, _dp.Stats.Hits);
        Assert.Equal(0, _dp.Stats.Missed);
    }

    [Fact]
    public void Port_numbers_are_lowest_free_and_requests_are_checked()
    {
        using var extra = new MemoryPort("extra");
        using var another = new MemoryPort("another");

        Assert.True(_dp.RemovePort(2));
        Assert.False(_dp.RemovePort(2));
        Assert.Null(_dp.GetPort(2));
        Assert.Equal(2, _dp.AddPort(extra));
        Assert.Throws<InvalidOperationException>(() => _dp.AddPort(extra, 9));
        Assert.Throws<InvalidOperationException>(() => _dp.AddPort(another, 3));
        Assert.Equal(100, _dp.AddPort(another, 100));
        Assert.Same(another, _dp.GetPort(100));
        Assert.Equal([1, 2, 3, 100], _dp.Ports.Keys.Order().Select(k => (int)k));
    }

    [Fact]
    public void Ports_keep_their_poll_thread_and_new_ports_go_to_the_least_loaded_thread()
    {
        using var dp = new Dp(new DatapathOptions { PollThreads = 2 }, _time);
        using var a = new MemoryPort("a");
        using var b = new MemoryPort("b");
        using var c = new MemoryPort("c");
        using var d = new MemoryPort("d");
        dp.AddPort(a);
        dp.AddPort(b);
        dp.AddPort(c);
        Assert.Equal([0, 1, 0], new[] { 1, 2, 3 }.Select(p => dp.PortSnapshot.ThreadOf((ushort)p)));

        dp.RemovePort(1);
        dp.AddPort(d, 7);

        Assert.Equal(1, dp.PortSnapshot.ThreadOf(2));
        Assert.Equal(0, dp.PortSnapshot.ThreadOf(3));
        Assert.Equal(0, dp.PortSnapshot.ThreadOf(7));
        Assert.Equal([3, 7], dp.PortSnapshot.PortsOf(0).Select(p => (int)p));
    }

    [Fact]
    public void Output_to_a_removed_port_is_dropped_without_harm()
    {
        _dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(2, 3));
        _dp.RemovePort(2);
        _p1.Inject(Udp64(MacA, MacB, 1, 2, 3, 4));

        _dp.RunOnce();

        Assert.Equal(0, _p2.SentCount);
        Assert.Equal(1, _p3.SentCount);
    }

    [Fact]
    public void Poll_threads_forward_and_execute_packet_outs_in_the_background()
    {
        using var dp = new Dp(new DatapathOptions { PollThreads = 2, PollTimeoutMs = 5 }, TimeProvider.System);
        using var a = new MemoryPort("a");
        using var b = new MemoryPort("b");
        dp.AddPort(a);
        dp.AddPort(b);
        dp.Flows.Install(FlowKey.Create(1, MacA, MacB, 0x0800), Masks.L2(), DatapathActions.OutputTo(2));
        dp.Flows.Install(FlowKey.Create(2, MacB, MacA, 0x0800), Masks.L2(), DatapathActions.OutputTo(1));
        dp.Start();
        Assert.True(dp.IsRunning);
        Assert.Throws<InvalidOperationException>(() => dp.RunOnce());

        for (int i = 0; i < 100; i++)
        {
            a.Inject(Udp64(MacA, MacB, 1, 2, (ushort)i, 4));
            b.Inject(Udp64(MacB, MacA, 2, 1, 4, (ushort)i));
        }

        dp.Execute(0, Udp64(MacA, Broadcast, 1, 2, 3, 4), DatapathActions.OutputTo(1, 2));

        WaitUntil(() => a.SentCount == 101 && b.SentCount == 101, "both ports forwarded 100 frames and got the packet-out");
        dp.Stop();
        Assert.False(dp.IsRunning);
        Assert.Equal(200, dp.Stats.Hits);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dp(new DatapathOptions { PollThreads = 0 }, _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dp(new DatapathOptions { EmcEntries = 1000 }, _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dp(new DatapathOptions { BatchSize = 0 }, _time));
    }

    [Fact]
    public void Poller_wakes_early_on_wake_and_reports_fd_less_ports_readable()
    {
        using var poller = new PortPoller([_p1]);
        Assert.True(poller.IsReadable(0));

        using var empty = new PortPoller([]);
        empty.Wake();
        long start = Environment.TickCount64;
        Assert.Equal(1, empty.Wait(5_000));
        Assert.True(Environment.TickCount64 - start < 4_000);
        Assert.Equal(0, empty.Wait(0)); // the wake-up was consumed
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        // Bounded spin-then-yield probe for work done by real background threads.
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), $"timed out waiting until {what}");
    }
}
