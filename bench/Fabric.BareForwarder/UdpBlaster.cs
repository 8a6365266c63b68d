using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Fabric.BareForwarder;

/// <summary>
/// The UDP load of bench/scripts/l2-side-by-side.sh (<c>bare-forwarder blast IPV4 PORT SECONDS [PAYLOAD-BYTES]</c>): a
/// connected UDP socket sending one payload (default 64 bytes) as fast as blocking sendmmsg(2) takes it, 256 datagrams
/// a call, for SECONDS. It costs the sender about one kernel UDP transmit per datagram and no system call of its own,
/// several times less than iperf3's one send(2) per datagram, so the switch between sender and receiver, not the
/// sender, sets the rate. Prints "sent N datagrams in S s (R/s)" when done.
/// </summary>
/// <remarks>
/// The message headers are built once in unmanaged memory and all point at the same payload; nothing is allocated
/// while sending. A refused send (ENOBUFS, ECONNREFUSED after an ICMP port unreachable) is counted as not sent and the
/// loop goes on.
/// </remarks>
internal static class UdpBlaster
{
    private const int Batch = 256;

    // struct iovec (16 bytes) and struct mmsghdr (struct msghdr, 56 bytes, + msg_len and padding: 64 bytes), x86-64.
    private const int IoVecBytes = 16;
    private const int MMsgHdrBytes = 64;
    private const int MsgIovOffset = 16;
    private const int MsgIovLenOffset = 24;

    /// <summary>Sends for <paramref name="seconds"/> and returns 0, or 1 when the socket cannot be connected.</summary>
    /// <param name="destination">The receiver's IPv4 address.</param>
    /// <param name="port">The receiver's UDP port (nothing need listen: the receiving interface counts the frames).</param>
    /// <param name="seconds">How long to send.</param>
    /// <param name="payloadBytes">UDP payload per datagram (bytes).</param>
    public static int Run(IPAddress destination, int port, double seconds, int payloadBytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(destination, port);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"bare-forwarder blast: cannot connect to {destination}:{port}: {e.Message}");
            return 1;
        }

        int fd = (int)socket.Handle;
        nint payload = Marshal.AllocHGlobal(payloadBytes);
        nint iov = Marshal.AllocHGlobal(IoVecBytes);
        nint msgs = Marshal.AllocHGlobal(Batch * MMsgHdrBytes);
        try
        {
            for (int i = 0; i < payloadBytes; i++)
            {
                Marshal.WriteByte(payload, i, (byte)i);
            }

            Marshal.WriteIntPtr(iov, 0, payload);
            Marshal.WriteInt64(iov, 8, payloadBytes);
            for (int i = 0; i < Batch * MMsgHdrBytes; i += 8)
            {
                Marshal.WriteInt64(msgs, i, 0);
            }

            for (int i = 0; i < Batch; i++)
            {
                Marshal.WriteIntPtr(msgs, (i * MMsgHdrBytes) + MsgIovOffset, iov);
                Marshal.WriteInt64(msgs, (i * MMsgHdrBytes) + MsgIovLenOffset, 1);
            }

            long sent = 0;
            long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            long start = Stopwatch.GetTimestamp();
            long now = start;
            while (now < end)
            {
                int n = LibC.SendMMsg(fd, msgs, Batch, 0);
                if (n > 0)
                {
                    sent += n;
                }

                now = Stopwatch.GetTimestamp();
            }

            double elapsed = (double)(now - start) / Stopwatch.Frequency;
            Console.WriteLine($"sent {sent} datagrams in {elapsed:F2} s ({sent / elapsed:F0}/s)");
            return 0;
        }
        finally
        {
            Marshal.FreeHGlobal(msgs);
            Marshal.FreeHGlobal(iov);
            Marshal.FreeHGlobal(payload);
        }
    }
}
