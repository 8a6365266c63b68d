using Fabric.Datapath.Ports.Native;

namespace Fabric.Datapath.Ports;

/// <summary>
/// Counts the frames a port found waiting in its kernel queue when a process started reading it after a restart: once
/// armed (<see cref="Arm"/>, before the first receive), every frame the port's receives take from the queue is counted
/// until a receive finds the queue empty. That is the backlog the reader inherited, plus whatever arrived while it was
/// reading it (at 1,000 frames/s and some 30 ns per frame, nothing).
/// </summary>
/// <remarks>
/// <para>
/// Why count at the reader: the kernel reports no queue length in frames. On an AF_PACKET socket SIOCINQ (FIONREAD)
/// gives only the length of the next frame (net/packet/af_packet.c, packet_ioctl) and PACKET_STATISTICS counts frames
/// that arrived since it was last read, not those still queued; on a TAP descriptor FIONREAD fails (EINVAL: the tun
/// driver has no such ioctl) and the interface's tx counters count a frame only when it is read.
/// </para>
/// <para>
/// Threading: <see cref="Arm"/> before the receiving thread starts; the receiving thread records; any thread reads
/// <see cref="Frames"/>. The receive path pays one field test per receive call, never per frame.
/// </para>
/// </remarks>
public sealed class BacklogCounter
{
    // _state: 0 = not armed, Counting, Counted.
    private const int Counting = 1;
    private const int Counted = 2;

    private long _frames;
    private int _state;

    /// <summary>True from <see cref="Arm"/> until a receive found the queue empty (the receive path tests this).</summary>
    internal bool IsCounting => _state == Counting;

    /// <summary>
    /// The frames that were waiting: null before <see cref="Arm"/> and while the first reads are still emptying the
    /// queue; 0 when it was empty at <see cref="Arm"/>.
    /// </summary>
    public long? Frames => Volatile.Read(ref _state) == Counted ? Volatile.Read(ref _frames) : null;

    /// <summary>The frames counted so far (the final figure once <see cref="Frames"/> is not null).</summary>
    public long FramesSoFar => Volatile.Read(ref _frames);

    /// <summary>
    /// Starts counting on the port whose descriptor is <paramref name="fd"/>, before its first receive: when nothing is
    /// waiting (poll(2) reports it not readable) the count is 0 at once, otherwise the next receives count.
    /// </summary>
    /// <param name="fd">The port's descriptor (<see cref="IDatapathPort.PollFd"/>); negative: nothing to count (0).</param>
    public void Arm(int fd)
    {
        Volatile.Write(ref _frames, 0);
        Volatile.Write(ref _state, fd >= 0 && LibC.WaitReadable(fd, 0) ? Counting : Counted);
    }

    /// <summary>One receive call took <paramref name="frames"/> frames off the queue; <paramref name="emptied"/>: it found the queue empty.</summary>
    internal void Record(int frames, bool emptied)
    {
        Volatile.Write(ref _frames, _frames + frames);
        if (emptied)
        {
            Volatile.Write(ref _state, Counted);
        }
    }
}
