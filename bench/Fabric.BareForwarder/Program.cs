using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace Fabric.BareForwarder;

/// <summary>
/// The speed-of-light reference of bench/scripts/l2-side-by-side.sh: a two-port "switch" with no switching. It opens
/// an AF_PACKET socket on each of two interfaces and copies every frame received on one to the other, one thread per
/// direction, with blocking recv(2) and send(2) of one frame each: no parsing, lookup, learning, batching or polling.
/// Whatever a real switch costs beyond this is its own work.
/// </summary>
/// <remarks>
/// <para>
/// Usage: <c>bare-forwarder IF1 IF2 [--vnet-headers] [--rcvbuf BYTES]</c> (the forwarder), or
/// <c>bare-forwarder blast IPV4 PORT SECONDS [PAYLOAD-BYTES]</c> (the script's UDP sender, <see cref="UdpBlaster"/>). With <c>--vnet-headers</c> both sockets
/// have PACKET_VNET_HDR, so the interfaces may keep their checksum and segmentation offloads on: a TSO super-frame (up
/// to 64 KB) is read whole with its virtio-net header and written whole with the same header. Without it the
/// interfaces need <c>ethtool -K DEV tx off tso off gso off gro off</c>, like any AF_PACKET switch without vnet
/// headers. <c>--rcvbuf</c> sets SO_RCVBUFFORCE (default 4194304, the size Fabric's AF_PACKET ports ask for, so the
/// comparison is of the loops and not of the buffers; 0 = the kernel default); SO_SNDBUF stays the kernel default.
/// </para>
/// <para>
/// Prints one line when forwarding starts (the interfaces, vnet headers, and each socket's SO_RCVBUF/SO_SNDBUF as
/// getsockopt(2) reports them), then runs until killed (SIGTERM or SIGINT). A frame that send(2) refuses (e.g. ENOBUFS)
/// is dropped, as a switch drops on a full queue. Exit code 2 on bad arguments, 1 when a socket cannot be opened or
/// recv(2) fails.
/// </para>
/// </remarks>
public static class Program
{
    /// <summary>Largest frame read: a 64 KB GSO super-frame plus its Ethernet header and virtio-net header, rounded up (bytes).</summary>
    private const int FrameBufferBytes = 128 * 1024;

    private const int DefaultReceiveBufferBytes = 4 * 1024 * 1024;

    private const int DefaultPayloadBytes = 64;

    /// <summary>Entry point; see the type's remarks for arguments and exit codes.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Main(string[] args)
    {
        int payloadBytes = DefaultPayloadBytes;
        if (args is ["blast", var host, var port, var seconds, .. var rest] && rest.Length <= 1
            && IPAddress.TryParse(host, out IPAddress? destination)
            && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int udpPort)
            && double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out double duration)
            && (rest.Length == 0 || int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out payloadBytes)))
        {
            return UdpBlaster.Run(destination, udpPort, duration, payloadBytes);
        }

        if (!TryParse(args, out string first, out string second, out bool vnet, out int receiveBuffer))
        {
            Console.Error.WriteLine("usage: bare-forwarder IF1 IF2 [--vnet-headers] [--rcvbuf BYTES] | bare-forwarder blast IPV4 PORT SECONDS [PAYLOAD-BYTES]");
            return 2;
        }

        int a;
        int b;
        try
        {
            a = PacketSocket.Open(first, vnet, receiveBuffer);
            b = PacketSocket.Open(second, vnet, receiveBuffer);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"bare-forwarder: {e.Message}");
            return 1;
        }

        Console.WriteLine(
            $"forwarding {first} <-> {second}: vnet headers {(vnet ? "on" : "off")}; "
            + $"{first} SO_RCVBUF {PacketSocket.BufferBytes(a, LibC.SO_RCVBUF)} SO_SNDBUF {PacketSocket.BufferBytes(a, LibC.SO_SNDBUF)}; "
            + $"{second} SO_RCVBUF {PacketSocket.BufferBytes(b, LibC.SO_RCVBUF)} SO_SNDBUF {PacketSocket.BufferBytes(b, LibC.SO_SNDBUF)} (bytes, as getsockopt reports)");

        var back = new Thread(() => Copy(b, a)) { IsBackground = true, Name = $"{second}->{first}" };
        back.Start();
        return Copy(a, b);
    }

    /// <summary>Copies frames from <paramref name="from"/> to <paramref name="to"/> until recv fails; returns 1 then.</summary>
    private static int Copy(int from, int to)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(FrameBufferBytes, pinned: true);
        while (true)
        {
            nint length = LibC.Recv(from, buffer, FrameBufferBytes, 0);
            if (length > 0)
            {
                LibC.Send(to, buffer, (nuint)length, 0);
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (length < 0 && errno != LibC.EINTR)
            {
                Console.Error.WriteLine($"bare-forwarder: recv: {LibC.ErrorText(errno)}");
                Environment.Exit(1);
                return 1;
            }
        }
    }

    private static bool TryParse(string[] args, out string first, out string second, out bool vnet, out int receiveBuffer)
    {
        first = second = string.Empty;
        vnet = false;
        receiveBuffer = DefaultReceiveBufferBytes;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--vnet-headers")
            {
                vnet = true;
            }
            else if (args[i] == "--rcvbuf" && i + 1 < args.Length
                && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out receiveBuffer))
            {
                i++;
            }
            else if (args[i].StartsWith('-'))
            {
                return false;
            }
            else
            {
                names.Add(args[i]);
            }
        }

        if (names.Count != 2)
        {
            return false;
        }

        (first, second) = (names[0], names[1]);
        return true;
    }
}
