using System.Diagnostics;
using System.Net;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;
using Fabric.Datapath.Ports.Vxlan;

namespace Fabric.Datapath.Tests.Ports.Vxlan;

/// <summary>
/// Two VXLAN endpoints on the loopback interface (127.0.0.1 and 127.0.0.2, both local), on one UDP port chosen at
/// random so that tests running at once do not collide; no root needed.
/// </summary>
internal sealed class LoopbackVteps : IDisposable
{
    public static readonly IPAddress AddressA = IPAddress.Parse("127.0.0.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("127.0.0.2");

    private LoopbackVteps(VxlanEndpoint a, VxlanEndpoint b)
    {
        A = a;
        B = b;
    }

    public VxlanEndpoint A { get; }

    public VxlanEndpoint B { get; }

    public int Port => A.UdpPort;

    public static LoopbackVteps Open()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = Random.Shared.Next(20_000, 60_000);
            VxlanEndpoint? a = null;
            try
            {
                a = VxlanEndpoint.Open(AddressA, port);
                return new LoopbackVteps(a, VxlanEndpoint.Open(AddressB, port));
            }
            catch (PortException) when (attempt < 20)
            {
                // The port is taken on one of the addresses: try another.
                a?.Dispose();
            }
        }
    }

    /// <summary>
    /// Receives from <paramref name="endpoint"/> until it has accounted for <paramref name="datagrams"/> more datagrams
    /// (delivered or dropped) than <paramref name="before"/>, waiting on its socket; returns the frames with their in_port.
    /// </summary>
    public static List<(byte[] Frame, int InPort)> Collect(VxlanEndpoint endpoint, PacketBatch batch, long before, int datagrams)
    {
        var frames = new List<(byte[], int)>();
        var clock = Stopwatch.StartNew();
        while (Accounted(endpoint) - before < datagrams)
        {
            if (clock.Elapsed > PortProbe.DefaultTimeout)
            {
                throw new TimeoutException($"{endpoint.Name}: {Accounted(endpoint) - before} of {datagrams} datagrams arrived");
            }

            int n = endpoint.Receive(batch);
            for (int i = 0; i < n; i++)
            {
                frames.Add((batch.Frame(i).ToArray(), batch.InPort(i)));
            }

            if (n == 0)
            {
                LibC.WaitReadable(endpoint.PollFd, 100);
            }
        }

        return frames;
    }

    /// <summary>Datagrams the endpoint has delivered or dropped so far.</summary>
    public static long Accounted(VxlanEndpoint endpoint) => endpoint.Counters.RxPackets + endpoint.Counters.RxDropped;

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
