using System.Diagnostics;
using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;

namespace Fabric.RingBench;

/// <summary>
/// AF_PACKET ring versus recvmmsg/sendmmsg on the same traffic: one veth pair, flooded from one end, in paired and
/// interleaved runs (the order of the two modes alternates every round). Receive: an mmsg port floods end A, the port
/// under test receives on end B, waiting in poll(2) when empty as a poll thread does. Transmit: the port under test
/// floods end A; B's kernel rx counter says what arrived. Per run: frames/s (frames handled over the run's wall time)
/// and ns/frame (CPU time of the thread under test, CLOCK_THREAD_CPUTIME_ID, per frame). Prints medians per case.
/// </summary>
/// <remarks>
/// Usage: <c>Fabric.RingBench [--rounds N] [--frames64 N] [--frames1500 N] [--vnet]</c>, as root. Makes the veth pair
/// frb-a-XXXX/frb-b-XXXX in the current namespace with offloads and IPv6 off, and deletes it at the end.
/// </remarks>
internal static unsafe partial class Program
{
    private const int ClockThreadCpuTime = 3;
    private const ushort BenchEtherType = 0x88b5;

    private static int Main(string[] args)
    {
        int rounds = Arg(args, "--rounds", 5);
        int frames64 = Arg(args, "--frames64", 1_000_000);
        int frames1500 = Arg(args, "--frames1500", 300_000);
        bool vnet = args.Contains("--vnet");
        string suffix = Guid.NewGuid().ToString("N")[..4];
        string a = "frb-a-" + suffix;
        string b = "frb-b-" + suffix;
        Run("ip", $"link add {a} type veth peer name {b}");
        try
        {
            foreach (string dev in new[] { a, b })
            {
                Run("sysctl", $"-qw net.ipv6.conf.{dev}.disable_ipv6=1");
                Run("ip", $"link set {dev} up");
                if (!vnet)
                {
                    Run("ethtool", $"-K {dev} tx off tso off gso off gro off");
                }
            }

            var results = new Dictionary<string, List<(double Rate, double Ns)>>();
            for (int round = 0; round < rounds; round++)
            {
                foreach (int size in new[] { 64, 1500 })
                {
                    int frames = size == 64 ? frames64 : frames1500;
                    foreach (bool transmit in new[] { false, true })
                    {
                        AfPacketIo[] order = round % 2 == 0 ? [AfPacketIo.Mmsg, AfPacketIo.Ring] : [AfPacketIo.Ring, AfPacketIo.Mmsg];
                        foreach (AfPacketIo io in order)
                        {
                            var r = transmit ? Transmit(a, b, io, size, frames, vnet) : Receive(a, b, io, size, frames, vnet);
                            string key = $"{(transmit ? "tx" : "rx")} {size,4} B {io,-4}";
                            Console.WriteLine($"round {round + 1} {key}: {r.Rate / 1e6,6:F3} Mframes/s {r.Ns,7:F1} ns/frame");
                            (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(r);
                        }
                    }
                }
            }

            foreach (int size in new[] { 64, 1500 })
            {
                var drain = new Dictionary<AfPacketIo, List<double>> { [AfPacketIo.Mmsg] = [], [AfPacketIo.Ring] = [] };
                for (int round = 0; round < rounds; round++)
                {
                    AfPacketIo[] order = round % 2 == 0 ? [AfPacketIo.Mmsg, AfPacketIo.Ring] : [AfPacketIo.Ring, AfPacketIo.Mmsg];
                    foreach (AfPacketIo io in order)
                    {
                        drain[io].Add(Drain(a, b, io, size, size == 64 ? 4000 : 2000, vnet));
                    }
                }

                double dm = Median(drain[AfPacketIo.Mmsg].Select(x => (x, x)).ToList()).Rate;
                double dr = Median(drain[AfPacketIo.Ring].Select(x => (x, x)).ToList()).Rate;
                Console.WriteLine($"drain rx {size,4} B (queue filled first, read in full batches of 32): mmsg {dm,6:F1} ns/frame | ring {dr,6:F1} ns/frame | ring/mmsg cpu x{dr / dm:F2}");
            }

            foreach (AfPacketIo io in new[] { AfPacketIo.Mmsg, AfPacketIo.Ring, AfPacketIo.Mmsg, AfPacketIo.Ring })
            {
                var (median, p99) = Latency(a, b, io, 200, vnet);
                Console.WriteLine($"latency rx {io,-4}: one 64-byte frame at a time, median {median:F1} us, p99 {p99:F1} us (send to receive, poll(2) wake-up included)");
            }

            Console.WriteLine();
            Console.WriteLine($"medians over {rounds} rounds (vnet headers {(vnet ? "on" : "off")}):");
            foreach (string dir in new[] { "rx", "tx" })
            {
                foreach (int size in new[] { 64, 1500 })
                {
                    var m = Median(results[$"{dir} {size,4} B Mmsg"]);
                    var r = Median(results[$"{dir} {size,4} B Ring"]);
                    Console.WriteLine(
                        $"{dir} {size,4} B  mmsg {m.Rate / 1e6,6:F3} Mframes/s {m.Ns,7:F1} ns/frame | ring {r.Rate / 1e6,6:F3} Mframes/s {r.Ns,7:F1} ns/frame | ring/mmsg rate x{r.Rate / m.Rate:F2}, cpu x{r.Ns / m.Ns:F2}");
                }
            }

            return 0;
        }
        finally
        {
            Run("ip", $"link del {a}");
        }
    }

    /// <summary>An mmsg port floods A with <paramref name="frames"/> frames; the port under test receives them on B.</summary>
    private static (double Rate, double Ns) Receive(string a, string b, AfPacketIo io, int size, int frames, bool vnet)
    {
        using var sender = AfPacketPort.Open(a, new AfPacketOptions { Io = AfPacketIo.Mmsg, Promiscuous = false, VnetHeaders = vnet });
        using var receiver = AfPacketPort.Open(b, new AfPacketOptions { Io = io, VnetHeaders = vnet });
        ulong dst = receiver.MacAddress;
        using var batch = new PacketBatch(32, vnet ? PacketBatch.LargeSlotSize : PacketBatch.DefaultSlotSize);
        receiver.TakeStatistics();
        var done = new ManualResetEventSlim();
        var flood = new Thread(() =>
        {
            using var tx = Fill(size, dst, sender.MacAddress, vnet);
            int sent = 0;
            while (sent < frames && !done.IsSet)
            {
                sent += sender.Send(tx);
            }

            done.Set();
        });
        long received = 0;
        long start = Stopwatch.GetTimestamp();
        long last = start;
        long cpu0 = ThreadCpuNs();
        flood.Start();
        long idleSince = 0;
        while (received < frames)
        {
            int n = receiver.Receive(batch);
            if (n > 0)
            {
                received += n;
                last = Stopwatch.GetTimestamp();
                idleSince = 0;
                continue;
            }

            if (done.IsSet)
            {
                idleSince = idleSince == 0 ? Stopwatch.GetTimestamp() : idleSince;
                if (Stopwatch.GetElapsedTime(idleSince).TotalMilliseconds > 200)
                {
                    break;
                }
            }

            WaitReadable(receiver.PollFd, 5);
        }

        long cpu = ThreadCpuNs() - cpu0;
        done.Set();
        flood.Join();
        long dropped = receiver.TakeStatistics().Dropped;
        if (dropped > 0)
        {
            Console.WriteLine($"  ({io}: {received} received, {dropped} dropped by the socket)");
        }

        double seconds = Stopwatch.GetElapsedTime(start, last).TotalSeconds;
        return (received / seconds, (double)cpu / Math.Max(1, received));
    }

    /// <summary>
    /// Fills the receiving socket (or ring) with <paramref name="frames"/> frames while nobody reads, then drains it with
    /// full batches: CPU ns per frame of the reading thread alone (the kernel's part, done at send time, not counted).
    /// </summary>
    private static double Drain(string a, string b, AfPacketIo io, int size, int frames, bool vnet)
    {
        using var sender = AfPacketPort.Open(a, new AfPacketOptions { Io = AfPacketIo.Mmsg, Promiscuous = false, VnetHeaders = vnet });
        using var receiver = AfPacketPort.Open(b, new AfPacketOptions { Io = io, VnetHeaders = vnet });
        using var tx = Fill(size, receiver.MacAddress, sender.MacAddress, vnet);
        using var rx = new PacketBatch(32, vnet ? PacketBatch.LargeSlotSize : PacketBatch.DefaultSlotSize);
        receiver.TakeStatistics();
        int sent = 0;
        while (sent < frames)
        {
            tx.Count = Math.Min(tx.Capacity, frames - sent);
            sent += sender.Send(tx);
        }

        long arrived = 0;
        var clock = Stopwatch.StartNew();
        while (arrived < sent && clock.ElapsedMilliseconds < 2000)
        {
            arrived += receiver.TakeStatistics().Received;
        }

        // The ring's last block is handed over by its 1 ms timer.
        Thread.Sleep(20);
        long cpu0 = ThreadCpuNs();
        long received = 0;
        for (int n; (n = receiver.Receive(rx)) > 0;)
        {
            received += n;
        }

        long cpu = ThreadCpuNs() - cpu0;
        return (double)cpu / Math.Max(1, received);
    }

    /// <summary>One frame at a time from an mmsg port on A to the port under test on B, waiting in poll(2): microseconds from send to receive.</summary>
    private static (double Median, double P99) Latency(string a, string b, AfPacketIo io, int samples, bool vnet)
    {
        using var sender = AfPacketPort.Open(a, new AfPacketOptions { Io = AfPacketIo.Mmsg, Promiscuous = false, VnetHeaders = vnet });
        using var receiver = AfPacketPort.Open(b, new AfPacketOptions { Io = io, VnetHeaders = vnet });
        using var tx = Fill(64, receiver.MacAddress, sender.MacAddress, vnet);
        tx.Count = 1;
        using var rx = new PacketBatch(32, vnet ? PacketBatch.LargeSlotSize : PacketBatch.DefaultSlotSize);
        var us = new List<double>();
        for (int i = 0; i < samples; i++)
        {
            long start = Stopwatch.GetTimestamp();
            sender.Send(tx);
            while (receiver.Receive(rx) == 0 && Stopwatch.GetElapsedTime(start).TotalMilliseconds < 100)
            {
                WaitReadable(receiver.PollFd, 10);
            }

            us.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        us.Sort();
        return (us[us.Count / 2], us[us.Count * 99 / 100]);
    }

    /// <summary>The port under test floods A; B's rx_packets counter gives the frames that arrived.</summary>
    private static (double Rate, double Ns) Transmit(string a, string b, AfPacketIo io, int size, int frames, bool vnet)
    {
        using var sender = AfPacketPort.Open(a, new AfPacketOptions { Io = io == AfPacketIo.Ring ? AfPacketIo.RingTx : io, Promiscuous = false, VnetHeaders = vnet });
        using var tx = Fill(size, InterfaceMac(b), sender.MacAddress, vnet);
        long before = RxPackets(b);
        long start = Stopwatch.GetTimestamp();
        long cpu0 = ThreadCpuNs();
        long sent = 0;
        while (sent < frames)
        {
            sent += sender.Send(tx);
        }

        long cpu = ThreadCpuNs() - cpu0;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long arrived = RxPackets(b) - before;
        if (arrived < sent * 9 / 10)
        {
            Console.WriteLine($"  ({io}: {sent} sent, only {arrived} arrived)");
        }

        return (sent / seconds, (double)cpu / sent);
    }

    private static PacketBatch Fill(int size, ulong dst, ulong src, bool vnet)
    {
        var batch = new PacketBatch(32, vnet ? PacketBatch.LargeSlotSize : PacketBatch.DefaultSlotSize);
        var frame = new byte[size];
        for (int i = 0; i < 6; i++)
        {
            frame[i] = (byte)(dst >> (40 - (8 * i)));
            frame[6 + i] = (byte)(src >> (40 - (8 * i)));
        }

        frame[12] = BenchEtherType >> 8;
        frame[13] = BenchEtherType & 0xff;
        while (batch.TryAppend(frame))
        {
        }

        return batch;
    }

    private static ulong InterfaceMac(string dev) =>
        Convert.ToUInt64(File.ReadAllText($"/sys/class/net/{dev}/address").Trim().Replace(":", string.Empty), 16);

    private static long RxPackets(string dev) => long.Parse(File.ReadAllText($"/sys/class/net/{dev}/statistics/rx_packets"));

    private static (double Rate, double Ns) Median(List<(double Rate, double Ns)> runs)
    {
        var rates = runs.Select(r => r.Rate).Order().ToArray();
        var ns = runs.Select(r => r.Ns).Order().ToArray();
        return (rates[rates.Length / 2], ns[ns.Length / 2]);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    private static void Run(string file, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments}: {p.StandardError.ReadToEnd().Trim()}");
        }
    }

    private static long ThreadCpuNs()
    {
        long* ts = stackalloc long[2];
        ClockGetTime(ClockThreadCpuTime, ts);
        return (ts[0] * 1_000_000_000) + ts[1];
    }

    private static void WaitReadable(int fd, int timeoutMs)
    {
        long pollFd = (uint)fd | (1L << 32); // struct pollfd { int fd; short events = POLLIN; short revents; }
        Poll(&pollFd, 1, timeoutMs);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* ts);

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(long* fds, nuint count, int timeoutMs);
}
