using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fabric.UdpStream;

/// <summary>
/// A steady UDP stream with sequence numbers, for measuring forwarding outages (bench/scripts/restart-outage.sh).
/// Unlike ping it never slows down when replies stop, so the gap it measures is the outage itself.
/// <c>send HOST PORT INTERVAL_US COUNT</c> sends COUNT datagrams, one every INTERVAL_US microseconds (sleep-paced,
/// so at intervals near 1 ms the spacing is ≈1 ms with jitter, and a late send is caught up at once);
/// <c>receive PORT SECONDS</c> listens and prints "received N, lost N, longest gap X ms, missing S..E, socket drops N".
/// </summary>
/// <remarks>
/// The receiver's socket buffer is 8 MB (SO_RCVBUFFORCE as root, else as much as net.core.rmem_max allows): after an
/// outage whose frames waited in the switch's buffers, the switch delivers them in one burst (a second's worth within
/// milliseconds), which the default 208 KB buffer (some 200 datagrams) would partly drop at the receiving host. The
/// socket's own drop counter (SO_MEMINFO) is printed as "socket drops", so a loss at the receiver is never mistaken
/// for the switch's: "lost" counts every sequence number that did not arrive, whoever dropped it.
/// </remarks>
public static class Program
{
    private const int SolSocket = 1;
    private const int SoRcvbufForce = 33;
    private const int SoMeminfo = 55;
    private const int SkMeminfoDrops = 8;
    private const int ReceiveBufferBytes = 8 * 1024 * 1024;

    /// <summary>Entry point; exit code 2 on bad arguments.</summary>
    public static int Main(string[] args)
    {
        if (args is ["send", var host, var port, var intervalUs, var count])
        {
            return Send(IPAddress.Parse(host), int.Parse(port, CultureInfo.InvariantCulture), long.Parse(intervalUs, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture));
        }

        if (args is ["receive", var listen, var seconds])
        {
            return Receive(int.Parse(listen, CultureInfo.InvariantCulture), double.Parse(seconds, CultureInfo.InvariantCulture));
        }

        Console.Error.WriteLine("usage: udpstream send HOST PORT INTERVAL_US COUNT | udpstream receive PORT SECONDS");
        return 2;
    }

    private static int Send(IPAddress host, int port, long intervalUs, int count)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(host, port);
        var payload = new byte[64];
        var clock = Stopwatch.StartNew();
        var ticksPerInterval = intervalUs * Stopwatch.Frequency / 1_000_000;
        for (var seq = 0; seq < count; seq++)
        {
            // Sleep-paced (≈1 ms resolution), so the sender does not take a core away from the fabric it measures.
            var due = seq * ticksPerInterval;
            while (clock.ElapsedTicks < due)
            {
                Thread.Sleep(1);
            }

            BinaryPrimitives.WriteInt32BigEndian(payload, seq);
            try
            {
                socket.Send(payload);
            }
            catch (SocketException)
            {
                // The stream goes on; the receiver counts the gap.
            }
        }

        return 0;
    }

    private static int Receive(int port, double seconds)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoRcvbufForce, BitConverter.GetBytes(ReceiveBufferBytes));
        }
        catch (SocketException)
        {
            // Not root: as much as net.core.rmem_max allows.
            socket.ReceiveBufferSize = ReceiveBufferBytes;
        }

        socket.Bind(new IPEndPoint(IPAddress.Any, port));
        socket.ReceiveTimeout = 200;
        var buffer = new byte[2048];
        var clock = Stopwatch.StartNew();
        var seen = new HashSet<int>();
        var last = -1.0;
        var gap = 0.0;
        var maxSeq = -1;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException)
            {
                continue;
            }

            var now = clock.Elapsed.TotalMilliseconds;
            if (n < 4)
            {
                continue;
            }

            var seq = BinaryPrimitives.ReadInt32BigEndian(buffer);
            seen.Add(seq);
            maxSeq = Math.Max(maxSeq, seq);
            if (last >= 0)
            {
                gap = Math.Max(gap, now - last);
            }

            last = now;
        }

        var missing = Enumerable.Range(0, maxSeq + 1).Where(s => !seen.Contains(s)).ToList();
        var range = missing.Count == 0 ? "none" : $"{missing[0]}..{missing[^1]}";
        Console.WriteLine(FormattableString.Invariant($"received {seen.Count}, lost {missing.Count}, longest gap {gap:F1} ms, missing {range}, socket drops {SocketDrops(socket)}"));
        return 0;
    }

    /// <summary>The datagrams the kernel dropped at this socket because its buffer was full (SO_MEMINFO, Linux 4.12+); -1 if unknown.</summary>
    private static long SocketDrops(Socket socket)
    {
        var meminfo = new byte[4 * 16];
        try
        {
            var n = socket.GetRawSocketOption(SolSocket, SoMeminfo, meminfo);
            return n >= 4 * (SkMeminfoDrops + 1) ? BinaryPrimitives.ReadUInt32LittleEndian(meminfo.AsSpan(4 * SkMeminfoDrops)) : -1;
        }
        catch (SocketException)
        {
            return -1;
        }
    }
}
