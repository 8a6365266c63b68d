using System.Runtime.InteropServices;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Ports;
using Fabric.Datapath.Ports.Native;

namespace Fabric.Benchmarks;

/// <summary>
/// A benchmark port that receives the same prebuilt frames again and again: <see cref="Arm"/> lets it deliver a number
/// of full batches, then the first Receive after the last one (the poll thread has forwarded and sent that batch by
/// then) sets <see cref="Done"/>. Its eventfd is readable while it is armed, so a poll thread waiting in poll(2) wakes
/// at once, as for a real port. Sending through it discards the frames.
/// </summary>
/// <remarks>Receive copies the frames into the batch (a receive's memory traffic) and allocates nothing.</remarks>
internal sealed partial class ReplayPort : IDatapathPort
{
    private const int EfdNonblock = 0x800;
    private const int EfdCloexec = 0x80000;

    private readonly byte[][] _frames;
    private readonly int _eventFd;

    // > 0: batches left to deliver; 0: all delivered, Done not yet set; -1: idle (Done set). Only the poll thread
    // writes it while armed; Arm writes it only when idle.
    private long _remaining = -1;

    /// <summary>A port called <paramref name="name"/> whose every batch is <paramref name="frames"/> (at most a batch's capacity).</summary>
    public ReplayPort(string name, byte[][] frames)
    {
        Name = name;
        _frames = frames;
        _eventFd = EventFd(0, EfdNonblock | EfdCloexec);
        if (_eventFd < 0)
        {
            throw new InvalidOperationException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Set once the armed batches have all been received and forwarded.</summary>
    public ManualResetEventSlim Done { get; } = new(true, 0);

    public string Name { get; }

    public PortKind Kind => PortKind.Memory;

    public int PollFd => _eventFd;

    public bool CarrierUp => true;

    public ulong MacAddress => 0;

    public PortCounters Counters { get; } = new();

    /// <summary>Delivers <paramref name="batches"/> batches from now on; the port must be idle (<see cref="Done"/> set).</summary>
    public unsafe void Arm(long batches)
    {
        if (Volatile.Read(ref _remaining) != -1)
        {
            throw new InvalidOperationException("still armed");
        }

        Done.Reset();
        Volatile.Write(ref _remaining, batches);
        ulong one = 1;
        _ = LibC.Write(_eventFd, (byte*)&one, 8);
    }

    public unsafe int Receive(PacketBatch batch)
    {
        batch.Clear();
        long remaining = Volatile.Read(ref _remaining);
        if (remaining <= 0)
        {
            if (remaining == 0)
            {
                ulong value;
                var iov = new IoVec { Base = (byte*)&value, Len = 8 };
                _ = LibC.ReadV(_eventFd, &iov, 1);
                Volatile.Write(ref _remaining, -1);
                Done.Set();
            }

            return 0;
        }

        foreach (byte[] frame in _frames)
        {
            batch.TryAppend(frame);
        }

        Volatile.Write(ref _remaining, remaining - 1);
        return batch.Count;
    }

    public int Send(PacketBatch batch) => batch.Count;

    public void Dispose()
    {
        _ = LibC.Close(_eventFd);
        Done.Dispose();
    }

    // The one call the datapath's LibC does not declare.
    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initval, int flags);
}
