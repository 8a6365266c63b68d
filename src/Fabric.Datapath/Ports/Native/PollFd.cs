using System.Runtime.InteropServices;

namespace Fabric.Datapath.Ports.Native;

/// <summary><c>struct pollfd</c> (poll.h): one descriptor for poll(2), 8 bytes on Linux x86-64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    /// <summary>POLLIN: data to read.</summary>
    public const short POLLIN = 0x1;

    /// <summary><c>fd</c>: the descriptor.</summary>
    public int Fd;

    /// <summary><c>events</c>: requested events (POLLIN).</summary>
    public short Events;

    /// <summary><c>revents</c>: returned events.</summary>
    public short REvents;
}
