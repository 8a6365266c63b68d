using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Packets;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports.Vxlan;

/// <summary>
/// The node's VXLAN tunnel endpoint (VTEP, RFC 7348): one UDP socket bound to a local IPv4 address and the VXLAN port
/// (4789 by default, RFC 7348 §5), shown as a datapath port of its own like Open vSwitch's <c>vxlan_sys_4789</c>. It
/// sends for its tunnels (<see cref="VxlanTunnelPort"/>, one per remote VTEP and VNI, <see cref="CreateTunnel"/>) and
/// receives for them: <see cref="Receive"/> strips the VXLAN header of each datagram, looks the tunnel up by (outer
/// source address, VNI) and hands the inner frame to the datapath with the tunnel's port number as in_port
/// (<see cref="PortReceiveMode.PerFrame"/>).
/// </summary>
/// <remarks>
/// <para>
/// The kernel builds and routes the outer packet: Fabric writes only the 8-byte VXLAN header; the kernel adds UDP
/// (source port = the bound port, checksum computed), IPv4 (TTL 64, TOS 0, DF never set: IP_PMTUDISC_DONT, so a
/// datagram larger than the path MTU is fragmented rather than dropped, as the Linux vxlan driver does by default) and
/// the Ethernet header of the route's next hop, and reassembles fragments before the endpoint reads the datagram.
/// Receive and send buffers are 4 MB (SO_RCVBUFFORCE/SO_SNDBUFFORCE, falling back to the sysctl-capped
/// SO_RCVBUF/SO_SNDBUF).
/// </para>
/// <para>
/// Per-packet path: recvmmsg with two iovecs per datagram, the VXLAN header into a private 8-byte buffer and the inner
/// frame straight into its batch slot (never copied unless an earlier datagram of the batch was dropped); the
/// demultiplexing table is an immutable snapshot (<see cref="Attach"/>/<see cref="Detach"/> publish a new one);
/// counters are the receiving poll thread's row (<see cref="PacketBatch.Writer"/>). No allocation, no lock, no
/// exception: a malformed datagram, one from an unknown (source, VNI) or for a disabled tunnel is dropped and counted
/// by reason in <see cref="Drops"/> and in <see cref="PortCounters.RxDropped"/>.
/// </para>
/// <para>
/// Threading follows <see cref="IDatapathPort"/>: one receiving thread. The control methods (<see cref="CreateTunnel"/>,
/// <see cref="Attach"/>, <see cref="Detach"/>) may be called from any thread; they take a lock the per-packet path never
/// takes. Restart hand-over: <see cref="PollFd"/> is the socket, which a successor wraps with <see cref="Adopt"/>.
/// </para>
/// </remarks>
public sealed unsafe class VxlanEndpoint : IDatapathPort
{
    /// <summary>Receive and send buffer size asked for (bytes): about 2,000 full-size datagrams each way.</summary>
    public const int BufferBytes = 4 * 1024 * 1024;

    /// <summary>TTL of the outer IPv4 header (the usual default, and what <c>tnl_push</c> prints).</summary>
    public const int OuterTtl = 64;

    private readonly object _lock = new();
    private readonly PortCounters _counters = new(Forwarding.DatapathOptions.MaxPollThreads);
    private int _fd;
    private VxlanDemuxMap _demux = VxlanDemuxMap.Empty;
    private VxlanTunnelPort[] _tunnels = [];

    // Receive-side scratch, pinned on the POH: mmsghdr[n], iovec[2n], sockaddr_in[n], VXLAN headers[8n].
    private byte[] _rxScratch = [];
    private int _rxCapacity;
    private MMsgHdr* _rxMsgs;
    private IoVec* _rxIov;
    private SockAddrIn* _rxAddrs;
    private byte* _rxHeaders;

    private VxlanEndpoint(string name, uint localAddress, int udpPort, int fd)
    {
        Name = name;
        LocalAddress = localAddress;
        Local = new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(localAddress));
        UdpPort = udpPort;
        _fd = fd;
        EnsureReceiveCapacity(PacketBatch.DefaultCapacity);
    }

    /// <summary>Closes the socket if <see cref="Dispose"/> was never called.</summary>
    ~VxlanEndpoint()
    {
        CloseSocket();
    }

    /// <summary>The datapath port's name, <c>vxlan_sys_PORT</c> by default (OVS's name for its VXLAN datapath port).</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public PortKind Kind => PortKind.Vxlan;

    /// <summary>The local VTEP address the socket is bound to: the outer source of every datagram sent.</summary>
    public IPAddress Local { get; }

    /// <summary><see cref="Local"/> in host order (10.9.0.1 = 0x0a090001).</summary>
    public uint LocalAddress { get; }

    /// <summary>The UDP port bound, and the destination port of every datagram sent (4789 by default).</summary>
    public int UdpPort { get; }

    /// <summary>The UDP socket's descriptor: readable (POLLIN) when datagrams wait; -1 after <see cref="Dispose"/>. The endpoint owns it.</summary>
    public int PollFd => Volatile.Read(ref _fd);

    /// <summary>True while the socket is open.</summary>
    public bool CarrierUp => PollFd >= 0;

    /// <summary>0: the endpoint has no Ethernet address (the kernel sends from the route's interface).</summary>
    public ulong MacAddress => 0;

    /// <summary>
    /// Datagrams delivered to tunnels (packets, and their UDP payload bytes: VXLAN header and inner frame), datagrams
    /// dropped (<see cref="Drops"/> says why), and frames sent to the endpoint itself, which it drops.
    /// </summary>
    public PortCounters Counters => _counters;

    /// <summary><see cref="PortReceiveMode.PerFrame"/>: each frame received carries its tunnel's port number.</summary>
    public PortReceiveMode ReceiveMode => PortReceiveMode.PerFrame;

    /// <summary>Datagrams dropped on receive, per reason (<see cref="DropReason"/>'s Vxlan… values); written by the receiving thread only.</summary>
    public ParseDropCounters Drops { get; } = new();

    /// <summary>The tunnels created on this endpoint and not yet disposed, attached or not: an immutable snapshot.</summary>
    public IReadOnlyList<VxlanTunnelPort> Tunnels => Volatile.Read(ref _tunnels);

    /// <summary>The socket's descriptor for the tunnels' sends (-1 once closed).</summary>
    internal int SocketFd => Volatile.Read(ref _fd);

    /// <summary>
    /// Opens the VTEP: an IPv4 UDP socket (non-blocking, close-on-exec) bound to <paramref name="local"/>:<paramref name="udpPort"/>,
    /// with 4 MB receive and send buffers, DF never set (IP_PMTUDISC_DONT) and TTL 64.
    /// </summary>
    /// <param name="local">A local IPv4 address of this host (its network namespace): the VTEP address.</param>
    /// <param name="udpPort">The VXLAN UDP port, 1..65535 (RFC 7348: 4789).</param>
    /// <param name="name">The datapath port's name; null for <c>vxlan_sys_PORT</c>.</param>
    /// <returns>The endpoint, receiving once a poll thread polls it; dispose it to close the socket.</returns>
    /// <exception cref="ArgumentException"><paramref name="local"/> is not a unicast IPv4 address, or the port is out of range.</exception>
    /// <exception cref="PortException">
    /// A system call failed; the one-line message names the endpoint, the address and the errno text, e.g.
    /// "cannot open VXLAN endpoint vxlan_sys_4789 on 10.9.0.1:4789: bind: Address already in use" (another socket,
    /// such as a kernel vxlan device, has the port) or "…: bind: Cannot assign requested address" (not a local address).
    /// </exception>
    public static VxlanEndpoint Open(IPAddress local, int udpPort = VxlanHeader.DefaultUdpPort, string? name = null)
    {
        uint address = UnicastIpv4(local, nameof(local));
        ArgumentOutOfRangeException.ThrowIfLessThan(udpPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(udpPort, 65535);
        name ??= DefaultName(udpPort);
        string where = $"cannot open VXLAN endpoint {name} on {local}:{udpPort}";
        int fd = LibC.Socket(LinuxConstants.AF_INET, LinuxConstants.SOCK_DGRAM | LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, InetConstants.IPPROTO_UDP);
        if (fd < 0)
        {
            throw Failure(name, where, "socket", Errno.Last);
        }

        try
        {
            SetBuffer(fd, LinuxConstants.SO_RCVBUFFORCE, LinuxConstants.SO_RCVBUF, name, where, "SO_RCVBUF");
            SetBuffer(fd, LinuxConstants.SO_SNDBUFFORCE, LinuxConstants.SO_SNDBUF, name, where, "SO_SNDBUF");
            SetInt(fd, InetConstants.IPPROTO_IP, InetConstants.IP_MTU_DISCOVER, InetConstants.IP_PMTUDISC_DONT, name, where, "IP_MTU_DISCOVER");
            SetInt(fd, InetConstants.IPPROTO_IP, InetConstants.IP_TTL, OuterTtl, name, where, "IP_TTL");
            SockAddrIn bindTo = SockAddrIn.Of(address, udpPort);
            if (LibC.Bind(fd, &bindTo, (uint)sizeof(SockAddrIn)) < 0)
            {
                throw Failure(name, where, "bind", Errno.Last);
            }

            return new VxlanEndpoint(name, address, udpPort, fd);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Wraps <paramref name="fd"/>, a VXLAN endpoint's socket another process opened with <see cref="Open"/> and passed
    /// here over SCM_RIGHTS (<see cref="Native.FdPassing"/>), without re-binding it, so datagrams the kernel queued on it
    /// meanwhile are received next. The local address and port are read from the socket (getsockname(2)); its buffers,
    /// DF and TTL settings belong to the socket and carry over. FD_CLOEXEC and O_NONBLOCK are set on it. Tunnels are not
    /// carried by the descriptor: create and attach them again.
    /// </summary>
    /// <param name="fd">The received descriptor. On success the endpoint owns it; on an exception the caller still does.</param>
    /// <param name="name">The datapath port's name; null for <c>vxlan_sys_PORT</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="PortException">
    /// The descriptor is not an IPv4 UDP socket bound to one address, or a system call failed, e.g. "cannot adopt
    /// descriptor 9 as a VXLAN endpoint: the socket is of type 3, not SOCK_DGRAM".
    /// </exception>
    public static VxlanEndpoint Adopt(int fd, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        string where = $"cannot adopt descriptor {fd} as a VXLAN endpoint";
        SockAddrIn bound = default;
        uint length = (uint)sizeof(SockAddrIn);
        if (LibCMsg.GetSockName(fd, &bound, &length) < 0)
        {
            throw Failure(name ?? "vxlan", where, "getsockname", Errno.Last);
        }

        int type = 0;
        uint typeLength = sizeof(int);
        if (LibC.GetSockOpt(fd, LinuxConstants.SOL_SOCKET, LibCMsg.SO_TYPE, &type, &typeLength) < 0)
        {
            throw Failure(name ?? "vxlan", where, "SO_TYPE", Errno.Last);
        }

        string? mismatch =
            bound.Family != LinuxConstants.AF_INET ? $"the socket is of address family {bound.Family}, not AF_INET"
            : type != LinuxConstants.SOCK_DGRAM ? $"the socket is of type {type}, not SOCK_DGRAM"
            : bound.Address == 0 || bound.Port == 0 ? $"the socket is bound to {Flows.FlowFormatter.FormatIpv4(bound.Address)}:{bound.Port}, not to one address and port"
            : null;
        name ??= DefaultName(bound.Port);
        if (mismatch is not null)
        {
            throw new PortException(name, $"{where}: {mismatch}");
        }

        int errno = LibCMsg.SetCloseOnExec(fd, on: true) is int cloexec and not 0 ? cloexec : LibCMsg.EnsureNonBlocking(fd);
        if (errno != 0)
        {
            throw Failure(name, where, "fcntl", errno);
        }

        return new VxlanEndpoint(name, bound.Address, bound.Port, fd);
    }

    /// <summary>
    /// Creates the tunnel to <paramref name="remote"/> in <paramref name="vni"/>: a datapath port that sends through this
    /// endpoint. It receives once it is added to the datapath and attached (<see cref="Attach"/>) under that number.
    /// </summary>
    /// <param name="name">The port's name (a bridge port name, e.g. "vx1"); unique among this endpoint's tunnels.</param>
    /// <param name="remote">The remote VTEP: a unicast IPv4 address other than <see cref="Local"/>.</param>
    /// <param name="vni">The VNI, 0..16777215 (RFC 7348 §5).</param>
    /// <exception cref="ArgumentException">The name is empty, or <paramref name="remote"/> is not a unicast IPv4 address or is the local VTEP.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vni"/> has more than 24 bits.</exception>
    /// <exception cref="InvalidOperationException">A tunnel of this endpoint already has the name, or the same remote and VNI.</exception>
    public VxlanTunnelPort CreateTunnel(string name, IPAddress remote, uint vni)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        uint address = UnicastIpv4(remote, nameof(remote));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vni, VxlanHeader.MaxVni);
        if (address == LocalAddress)
        {
            throw new ArgumentException($"the remote VTEP {remote} is this endpoint's own address", nameof(remote));
        }

        lock (_lock)
        {
            foreach (VxlanTunnelPort t in _tunnels)
            {
                if (t.Name == name)
                {
                    throw new InvalidOperationException($"endpoint {Name} already has a tunnel named {name}");
                }

                if (t.RemoteAddress == address && t.Vni == vni)
                {
                    throw new InvalidOperationException($"endpoint {Name} already has tunnel {t.Name} to {remote} with VNI {vni}");
                }
            }

            var tunnel = new VxlanTunnelPort(this, name, remote, address, vni);
            Volatile.Write(ref _tunnels, [.. _tunnels, tunnel]);
            return tunnel;
        }
    }

    /// <summary>
    /// Starts delivering the datagrams of <paramref name="tunnel"/> (from its remote, with its VNI) into the datapath as
    /// frames from <paramref name="datapathPort"/>, the number <see cref="Forwarding.Datapath.AddPort"/> gave the tunnel.
    /// Takes effect at the receiving thread's next batch. Calling it again with the same number does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The tunnel belongs to another endpoint, or <paramref name="datapathPort"/> is 0.</exception>
    /// <exception cref="InvalidOperationException">The tunnel was disposed, or is attached under another number.</exception>
    public void Attach(VxlanTunnelPort tunnel, ushort datapathPort)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        if (!ReferenceEquals(tunnel.Endpoint, this))
        {
            throw new ArgumentException($"tunnel {tunnel.Name} belongs to endpoint {tunnel.Endpoint.Name}, not {Name}", nameof(tunnel));
        }

        if (datapathPort == 0)
        {
            throw new ArgumentException("datapath port 0 is not a port number", nameof(datapathPort));
        }

        lock (_lock)
        {
            if (Array.IndexOf(_tunnels, tunnel) < 0)
            {
                throw new InvalidOperationException($"tunnel {tunnel.Name} was disposed");
            }

            ushort current = tunnel.DatapathPort;
            if (current == datapathPort)
            {
                return;
            }

            if (current != 0)
            {
                throw new InvalidOperationException($"tunnel {tunnel.Name} is attached as datapath port {current}");
            }

            tunnel.SetDatapathPort(datapathPort);
            Volatile.Write(ref _demux, _demux.With(tunnel, datapathPort));
        }
    }

    /// <summary>
    /// Stops delivering <paramref name="tunnel"/>'s datagrams (they are dropped as <see cref="DropReason.VxlanUnknownVni"/>
    /// or <see cref="DropReason.VxlanUnknownRemote"/> from the next batch on); call it before removing the tunnel's port
    /// from the datapath, whose removal waits for the poll threads, so no frame with the old in_port is in flight
    /// afterwards. Returns false when the tunnel was not attached.
    /// </summary>
    public bool Detach(VxlanTunnelPort tunnel)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        lock (_lock)
        {
            if (!ReferenceEquals(tunnel.Endpoint, this) || tunnel.DatapathPort == 0)
            {
                return false;
            }

            Volatile.Write(ref _demux, _demux.Without(tunnel));
            tunnel.SetDatapathPort(0);
            return true;
        }
    }

    /// <summary>
    /// Receives up to <c>batch.Capacity</c> datagrams with recvmmsg(MSG_DONTWAIT): each inner frame lands in its slot,
    /// with the length of the frame and the attached tunnel's port number as the slot's in_port. Returns how many were
    /// kept (0 when nothing waits). Dropped and counted by reason (<see cref="Drops"/>): datagrams shorter than the
    /// header, without the I flag, with an inner frame under 14 bytes or longer than a slot, from an unknown remote or
    /// VNI, or for a disabled tunnel. Never blocks, never allocates (unless a batch larger than any before grows the
    /// pinned headers once).
    /// </summary>
    public int Receive(PacketBatch batch)
    {
        int fd = Volatile.Read(ref _fd);
        batch.Count = 0;
        if (fd < 0)
        {
            return 0;
        }

        int capacity = batch.Capacity;
        if (capacity > _rxCapacity)
        {
            EnsureReceiveCapacity(capacity);
        }

        VxlanDemuxMap demux = Volatile.Read(ref _demux);
        int writer = batch.Writer;
        int slotSize = batch.SlotSize;
        long nowTicks = 0;
        long bytes = 0;
        int dropped = 0;
        int write = 0;
        while (write < capacity)
        {
            int start = write;
            int want = capacity - start;
            for (int i = 0; i < want; i++)
            {
                IoVec* iov = _rxIov + (2 * i);
                iov[0].Base = _rxHeaders + (i * VxlanHeader.Size);
                iov[0].Len = VxlanHeader.Size;
                iov[1].Base = batch.SlotPointer(start + i);
                iov[1].Len = (nuint)slotSize;
                MMsgHdr* m = _rxMsgs + i;
                m->Hdr.Name = _rxAddrs + i;
                m->Hdr.NameLen = (uint)sizeof(SockAddrIn);
                m->Hdr.Iov = iov;
                m->Hdr.IovLen = 2;
                m->Hdr.Control = null;
                m->Hdr.ControlLen = 0;
                m->Hdr.Flags = 0;
                m->Len = 0;
            }

            int n = LibC.RecvMMsg(fd, _rxMsgs, (uint)want, LinuxConstants.MSG_DONTWAIT, null);
            if (n <= 0)
            {
                // EAGAIN: nothing (more) waiting; EINTR or a pending socket error also end this call.
                break;
            }

            if (nowTicks == 0)
            {
                nowTicks = Environment.TickCount64;
            }

            for (int i = 0; i < n; i++)
            {
                MMsgHdr* m = _rxMsgs + i;
                int datagram = (int)m->Len;
                DropReason reason = VxlanHeader.Parse(new ReadOnlySpan<byte>(_rxHeaders + (i * VxlanHeader.Size), VxlanHeader.Size), datagram, out uint vni);
                if (reason == DropReason.None && (m->Hdr.Flags & LinuxConstants.MSG_TRUNC) != 0)
                {
                    reason = DropReason.VxlanInnerTooLong;
                }

                VxlanTunnelPort? tunnel = null;
                ushort inPort = 0;
                if (reason == DropReason.None)
                {
                    reason = demux.Find(_rxAddrs[i].Address, vni, out tunnel, out inPort);
                }

                if (reason == DropReason.None && !tunnel!.Enabled)
                {
                    tunnel.CountReceiveDropped(writer);
                    reason = DropReason.VxlanTunnelDown;
                }

                if (reason != DropReason.None)
                {
                    Drops.Add(reason);
                    dropped++;
                    continue;
                }

                int frame = datagram - VxlanHeader.Size;
                if (write != start + i)
                {
                    Buffer.MemoryCopy(batch.SlotPointer(start + i), batch.SlotPointer(write), slotSize, frame);
                }

                batch.SetLength(write, frame);
                batch.SetInPort(write, inPort);
                tunnel!.CountReceived(writer, frame, nowTicks);
                bytes += datagram;
                write++;
            }

            if (n < want)
            {
                break;
            }
        }

        batch.Count = write;
        if (write > 0)
        {
            _counters.AddRx(writer, write, bytes);
        }

        if (dropped > 0)
        {
            _counters.AddRxDropped(writer, dropped);
        }

        return write;
    }

    /// <summary>
    /// Drops every frame and counts it in <see cref="PortCounters.TxDropped"/>: frames leave through a tunnel, never
    /// through the endpoint's own port. Returns 0.
    /// </summary>
    public int Send(PacketBatch batch)
    {
        if (batch.Count > 0)
        {
            _counters.AddTxDropped(batch.Writer, batch.Count);
        }

        return 0;
    }

    /// <summary>
    /// Closes this process's descriptor of the socket (the socket itself lives on in a successor it was handed to);
    /// the tunnels stay, carrying nothing. Idempotent; remove the endpoint and its tunnels from the datapath first.
    /// </summary>
    public void Dispose()
    {
        CloseSocket();
        GC.SuppressFinalize(this);
    }

    /// <summary>Detaches <paramref name="tunnel"/> and removes it from <see cref="Tunnels"/> (its <see cref="VxlanTunnelPort.Dispose"/>).</summary>
    internal void Forget(VxlanTunnelPort tunnel)
    {
        lock (_lock)
        {
            Detach(tunnel);
            int at = Array.IndexOf(_tunnels, tunnel);
            if (at >= 0)
            {
                Volatile.Write(ref _tunnels, [.. _tunnels.AsSpan(0, at), .. _tunnels.AsSpan(at + 1)]);
            }
        }
    }

    /// <summary>The receive buffer the kernel granted (SO_RCVBUF, which it reports doubled), bytes; -1 when it cannot be read.</summary>
    internal int ReadReceiveBufferBytes()
    {
        int value = 0;
        uint size = sizeof(int);
        return LibC.GetSockOpt(PollFd, LinuxConstants.SOL_SOCKET, LinuxConstants.SO_RCVBUF, &value, &size) == 0 ? value : -1;
    }

    private static string DefaultName(int udpPort) => $"vxlan_sys_{udpPort}";

    /// <summary>The host-order value of a unicast IPv4 address; throws <see cref="ArgumentException"/> for anything else.</summary>
    private static uint UnicastIpv4(IPAddress address, string parameter)
    {
        ArgumentNullException.ThrowIfNull(address, parameter);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address (VXLAN endpoints are IPv4)", parameter);
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (value == 0 || value == uint.MaxValue || (value >> 28) == 0xE)
        {
            throw new ArgumentException($"{address} is not a unicast address", parameter);
        }

        return value;
    }

    private static PortException Failure(string name, string where, string call, int errno) =>
        new(name, $"{where}: {call}: {Errno.Message(errno)}", errno);

    private static void SetInt(int fd, int level, int option, int value, string name, string where, string what)
    {
        if (LibC.SetSockOpt(fd, level, option, &value, sizeof(int)) < 0)
        {
            throw Failure(name, where, what, Errno.Last);
        }
    }

    /// <summary>Asks for <see cref="BufferBytes"/> beyond the sysctl cap (root), else up to it.</summary>
    private static void SetBuffer(int fd, int forceOption, int option, string name, string where, string what)
    {
        int bytes = BufferBytes;
        if (LibC.SetSockOpt(fd, LinuxConstants.SOL_SOCKET, forceOption, &bytes, sizeof(int)) != 0)
        {
            SetInt(fd, LinuxConstants.SOL_SOCKET, option, bytes, name, where, what);
        }
    }

    /// <summary>(Re)allocates the pinned receive headers for <paramref name="capacity"/> datagrams; at open and when a larger batch first arrives.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnsureReceiveCapacity(int capacity)
    {
        int msgBytes = capacity * sizeof(MMsgHdr);
        int iovBytes = capacity * 2 * sizeof(IoVec);
        int addrBytes = capacity * sizeof(SockAddrIn);
        int headerBytes = capacity * VxlanHeader.Size;
        byte[] scratch = GC.AllocateArray<byte>(msgBytes + iovBytes + addrBytes + headerBytes + 64, pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(scratch));
        p = (byte*)(((nint)p + 63) & ~(nint)63);
        _rxScratch = scratch;
        _rxMsgs = (MMsgHdr*)p;
        _rxIov = (IoVec*)(p + msgBytes);
        _rxAddrs = (SockAddrIn*)(p + msgBytes + iovBytes);
        _rxHeaders = p + msgBytes + iovBytes + addrBytes;
        _rxCapacity = capacity;
    }

    private void CloseSocket()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }
}
