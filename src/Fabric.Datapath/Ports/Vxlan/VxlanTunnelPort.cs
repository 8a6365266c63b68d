using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports.Vxlan;

/// <summary>
/// One VXLAN tunnel (RFC 7348): the datapath port for the frames exchanged with one remote VTEP in one VNI, created by
/// <see cref="VxlanEndpoint.CreateTunnel"/>. <see cref="Send"/> puts the 8-byte VXLAN header in front of each frame and
/// hands the datagrams to the endpoint's UDP socket, addressed to the remote VTEP at the endpoint's UDP port; the
/// kernel adds the UDP, IPv4 and Ethernet headers and routes the packet. The tunnel receives nothing itself
/// (<see cref="PortReceiveMode.None"/>): its endpoint demultiplexes the datagrams from (<see cref="Remote"/>,
/// <see cref="Vni"/>) to it once it is attached (<see cref="VxlanEndpoint.Attach"/>), and they enter the datapath with
/// this port's number as in_port.
/// </summary>
/// <remarks>
/// <para>
/// Per-packet path: gather I/O (two iovecs per datagram: the tunnel's header, then the frame in its slot, so the frame
/// is never copied), message headers on the calling thread's stack, sendmmsg of up to 64 datagrams per call; no
/// allocation, no lock, no exception. <see cref="Send"/> may run on several poll threads at once with their own
/// batches; each counts in its own row of <see cref="Counters"/> (<see cref="PacketBatch.Writer"/>).
/// </para>
/// <para>
/// A disabled tunnel (<see cref="Enabled"/> false: its member is unreachable) carries nothing: frames sent to it are
/// counted as transmit drops, datagrams arriving for it are dropped and counted by the endpoint
/// (<see cref="Packets.DropReason.VxlanTunnelDown"/>) and in this port's receive drops.
/// </para>
/// </remarks>
public sealed unsafe class VxlanTunnelPort : IDatapathPort
{
    /// <summary>Datagrams handed to one sendmmsg call; their headers live on the sender's stack.</summary>
    private const int SendChunk = 64;

    // One counter row per poll thread.
    private readonly PortCounters _counters = new(Forwarding.DatapathOptions.MaxPollThreads);

    // Pinned for the life of the tunnel (the GC never moves or frees it while the tunnel is reachable): the 8-byte
    // VXLAN header every datagram starts with, then the remote's sockaddr_in.
    private readonly byte[] _pinned;
    private readonly byte* _header;
    private readonly SockAddrIn* _remoteAddress;
    private volatile bool _enabled = true;
    private long _lastReceivedTicks;
    private int _datapathPort;

    internal VxlanTunnelPort(VxlanEndpoint endpoint, string name, IPAddress remote, uint remoteAddress, uint vni)
    {
        Endpoint = endpoint;
        Name = name;
        Remote = remote;
        RemoteAddress = remoteAddress;
        Vni = vni;
        _pinned = GC.AllocateArray<byte>(VxlanHeader.Size + sizeof(SockAddrIn) + 8, pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_pinned));
        _header = p;
        _remoteAddress = (SockAddrIn*)(p + 8);
        VxlanHeader.Write(new Span<byte>(_header, VxlanHeader.Size), vni);
        *_remoteAddress = SockAddrIn.Of(remoteAddress, endpoint.UdpPort);
    }

    /// <summary>The tunnel's name (a bridge port name, e.g. "vx1"); the datapath port is known by it.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public PortKind Kind => PortKind.Vxlan;

    /// <summary>The endpoint (local VTEP) whose socket sends this tunnel's datagrams and demultiplexes those it receives.</summary>
    public VxlanEndpoint Endpoint { get; }

    /// <summary>The remote VTEP's IPv4 address: datagrams go to it and are accepted only from it.</summary>
    public IPAddress Remote { get; }

    /// <summary>The remote VTEP in host order (10.9.0.2 = 0x0a090002).</summary>
    public uint RemoteAddress { get; }

    /// <summary>The VXLAN Network Identifier (24 bits, RFC 7348 §5) of this tunnel's datagrams, both ways.</summary>
    public uint Vni { get; }

    /// <summary>
    /// Whether the tunnel carries traffic (true when created). Set false while the remote is unreachable: frames sent to
    /// it are dropped and counted as transmit drops, datagrams from it are dropped; <see cref="CarrierUp"/> follows.
    /// Thread-safe; takes effect on the next batch.
    /// </summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>The datapath port number the endpoint demultiplexes to (<see cref="VxlanEndpoint.Attach"/>); 0 while detached.</summary>
    public ushort DatapathPort => (ushort)Volatile.Read(ref _datapathPort);

    /// <summary>-1: the tunnel has no descriptor of its own and is never polled (its endpoint's socket is).</summary>
    public int PollFd => -1;

    /// <summary>True while the tunnel is <see cref="Enabled"/> and its endpoint's socket is open.</summary>
    public bool CarrierUp => _enabled && Endpoint.SocketFd >= 0;

    /// <summary>0: a tunnel has no Ethernet address of its own.</summary>
    public ulong MacAddress => 0;

    /// <summary>
    /// Frames (inner Ethernet frames, their bytes without the 50 bytes of encapsulation) delivered from the remote and
    /// sent to it, the frames dropped either way; one row per poll thread.
    /// </summary>
    public PortCounters Counters => _counters;

    /// <summary><see cref="PortReceiveMode.None"/>: the endpoint receives for the tunnel.</summary>
    public PortReceiveMode ReceiveMode => PortReceiveMode.None;

    /// <summary>
    /// <see cref="Environment.TickCount64"/> (ms) when the endpoint last delivered a datagram of this tunnel, 0 if
    /// never (the <c>used:</c> of its <c>tnl_pop</c> row in <c>dpctl/dump-flows</c>).
    /// </summary>
    public long LastReceivedTicks => Volatile.Read(ref _lastReceivedTicks);

    /// <summary>Receives nothing (the endpoint demultiplexes for the tunnel): sets <c>batch.Count</c> to 0 and returns 0.</summary>
    public int Receive(PacketBatch batch)
    {
        batch.Count = 0;
        return 0;
    }

    /// <summary>
    /// Sends the first <c>batch.Count</c> frames to the remote VTEP, each as one UDP datagram (VXLAN header + frame)
    /// from the endpoint's socket, with sendmmsg (up to 64 per call, MSG_DONTWAIT); returns how many the kernel
    /// accepted. When the socket's send buffer is full (EAGAIN, ENOBUFS) the rest are dropped; a datagram the kernel
    /// refuses on its own (no route: ENETUNREACH, EHOSTUNREACH; EMSGSIZE; EPERM from a firewall) is dropped and the
    /// rest still go. A disabled tunnel or a closed endpoint drops them all. Drops are counted in
    /// <see cref="PortCounters.TxDropped"/>. Never blocks or allocates; several threads may send at once.
    /// </summary>
    [SkipLocalsInit]
    public int Send(PacketBatch batch)
    {
        int total = batch.Count;
        if (total == 0)
        {
            return 0;
        }

        int writer = batch.Writer;
        int fd = Endpoint.SocketFd;
        if (!_enabled || fd < 0)
        {
            _counters.AddTxDropped(writer, total);
            return 0;
        }

        MMsgHdr* msgs = stackalloc MMsgHdr[SendChunk];
        IoVec* iovs = stackalloc IoVec[SendChunk * 2];
        int sent = 0;
        int dropped = 0;
        long bytes = 0;
        int first = 0;
        while (first < total)
        {
            int count = Math.Min(SendChunk, total - first);
            for (int k = 0; k < count; k++)
            {
                IoVec* iov = iovs + (2 * k);
                iov[0].Base = _header;
                iov[0].Len = VxlanHeader.Size;
                iov[1].Base = batch.SlotPointer(first + k);
                iov[1].Len = (nuint)batch.Length(first + k);
                MMsgHdr* m = msgs + k;
                m->Hdr.Name = _remoteAddress;
                m->Hdr.NameLen = (uint)sizeof(SockAddrIn);
                m->Hdr.Iov = iov;
                m->Hdr.IovLen = 2;
                m->Hdr.Control = null;
                m->Hdr.ControlLen = 0;
                m->Hdr.Flags = 0;
                m->Len = 0;
            }

            int done = 0;
            while (done < count)
            {
                int r = LibC.SendMMsg(fd, msgs + done, (uint)(count - done), LinuxConstants.MSG_DONTWAIT);
                if (r > 0)
                {
                    for (int k = done; k < done + r; k++)
                    {
                        bytes += msgs[k].Len - VxlanHeader.Size;
                    }

                    sent += r;
                    done += r;
                    continue;
                }

                int errno = r < 0 ? Errno.Last : LinuxConstants.EAGAIN;
                if (errno == LinuxConstants.EINTR)
                {
                    continue;
                }

                if (errno is LinuxConstants.EAGAIN or LinuxConstants.ENOBUFS or LibCMsg.EBADF)
                {
                    // The socket cannot take more now (or is gone): this batch's remaining datagrams are dropped.
                    dropped += total - first - done;
                    _counters.AddTxResult(writer, sent, bytes, dropped);
                    return sent;
                }

                // This one datagram is refused (no route, too big, filtered); the next ones may still go.
                dropped++;
                done++;
            }

            first += count;
        }

        _counters.AddTxResult(writer, sent, bytes, dropped);
        return sent;
    }

    /// <summary>Detaches the tunnel from its endpoint and forgets it there (<see cref="VxlanEndpoint.Tunnels"/>). Idempotent; remove the port from the datapath first.</summary>
    public void Dispose() => Endpoint.Forget(this);

    /// <summary>"vxlan: key=VNI, remote_ip=…" as <c>dpctl/show</c> names a tunnel, for diagnostics.</summary>
    public override string ToString() => $"{Name} (vxlan: key={Vni}, remote_ip={Remote})";

    /// <summary>Sets the datapath number the endpoint demultiplexes to (the endpoint, under its lock).</summary>
    internal void SetDatapathPort(ushort portNo) => Volatile.Write(ref _datapathPort, portNo);

    /// <summary>Counts one datagram delivered into <paramref name="writer"/>'s row (the endpoint's receiving thread only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountReceived(int writer, int frameBytes, long nowTicks)
    {
        _counters.AddRx(writer, 1, frameBytes);
        if (_lastReceivedTicks != nowTicks)
        {
            Volatile.Write(ref _lastReceivedTicks, nowTicks);
        }
    }

    /// <summary>Counts one datagram dropped because the tunnel is disabled (the endpoint's receiving thread only).</summary>
    internal void CountReceiveDropped(int writer) => _counters.AddRxDropped(writer, 1);
}
