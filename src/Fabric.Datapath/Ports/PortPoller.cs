using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports;

/// <summary>
/// Waits until one of a poll thread's ports is readable, with poll(2) over the ports' <see cref="IDatapathPort.PollFd"/>
/// plus an eventfd that <see cref="Wake"/> signals (packet-outs, port changes, stop). Ports without a descriptor
/// (PollFd = -1, in-memory ports) are always reported "maybe readable", and then the wait is capped at 1 ms.
/// </summary>
/// <remarks>
/// <see cref="Wait"/> and <see cref="IsReadable"/> belong to the owning poll thread; <see cref="Wake"/> may be
/// called from any thread. Waiting allocates nothing.
/// </remarks>
public sealed partial class PortPoller : IDisposable
{
    private const short PollIn = 0x0001;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int Eintr = 4;

    private readonly int _eventFd;
    private PollFd[] _fds;
    private bool[] _alwaysReadable;
    private bool _hasFdLess;
    private int _disposed;

    /// <summary>Creates a poller over <paramref name="ports"/> (index i of <see cref="IsReadable"/> = ports[i]).</summary>
    /// <exception cref="InvalidOperationException">eventfd(2) failed (errno in the message).</exception>
    public PortPoller(IReadOnlyList<IDatapathPort> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        _eventFd = EventFd(0, EfdNonblock | EfdCloexec);
        if (_eventFd < 0)
        {
            throw new InvalidOperationException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }

        SetPorts(ports);
    }

    /// <summary>Number of ports polled.</summary>
    public int PortCount { get; private set; }

    /// <summary>
    /// Replaces the polled ports (owning thread only; allocates). The wake-up descriptor is kept, so a
    /// <see cref="Wake"/> racing with this call is not lost.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_fds), nameof(_alwaysReadable))]
    public void SetPorts(IReadOnlyList<IDatapathPort> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var fds = new PollFd[ports.Count + 1];
        var always = new bool[ports.Count];
        bool fdLess = false;
        for (int i = 0; i < ports.Count; i++)
        {
            int fd = ports[i].PollFd;
            always[i] = fd < 0;
            fdLess |= fd < 0;

            // poll(2) ignores entries with a negative descriptor.
            fds[i] = new PollFd { Fd = fd, Events = PollIn };
        }

        fds[ports.Count] = new PollFd { Fd = _eventFd, Events = PollIn };
        _fds = fds;
        _alwaysReadable = always;
        _hasFdLess = fdLess;
        PortCount = ports.Count;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> ms (capped at 1 ms when a port has no descriptor) for a port to
    /// become readable or for <see cref="Wake"/>. Returns the number of ready descriptors (0 on timeout, or -1 on
    /// an error other than EINTR); a wake-up is consumed here.
    /// </summary>
    public unsafe int Wait(int timeoutMs)
    {
        if (_hasFdLess && timeoutMs > 1)
        {
            timeoutMs = 1;
        }

        int n;
        fixed (PollFd* p = _fds)
        {
            for (int i = 0; i < _fds.Length; i++)
            {
                p[i].Revents = 0;
            }

            n = Poll(p, (nuint)_fds.Length, timeoutMs);
        }

        if (n < 0)
        {
            return Marshal.GetLastPInvokeError() == Eintr ? 0 : -1;
        }

        if ((_fds[^1].Revents & PollIn) != 0)
        {
            ulong value;
            _ = Read(_eventFd, &value, 8);
        }

        return n;
    }

    /// <summary>True when port <paramref name="index"/> reported POLLIN in the last <see cref="Wait"/>, or has no descriptor.</summary>
    public bool IsReadable(int index) => _alwaysReadable[index] || _fds[index].Revents != 0;

    /// <summary>Makes a current or the next <see cref="Wait"/> return at once. Thread-safe.</summary>
    public unsafe void Wake()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        ulong one = 1;
        _ = Write(_eventFd, &one, 8);
    }

    /// <summary>Closes the eventfd.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = Close(_eventFd);
        }
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
