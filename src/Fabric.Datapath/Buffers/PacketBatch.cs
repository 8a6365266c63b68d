using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fabric.Datapath.Offloads;

namespace Fabric.Datapath.Buffers;

/// <summary>
/// A fixed set of packet slots in one pinned native block, the unit of batched receive and send
/// (OVS's <c>dp_packet_batch</c>, NETDEV_MAX_BURST = 32 by default). Slot <c>i</c> starts at
/// <c>i * SlotSize</c> bytes; its frame length (bytes) and its virtio-net header (<see cref="VirtioNetHeader"/>: partial
/// checksum and GSO metadata of ports with vnet headers; all zero for a complete frame) are kept beside it. The block is allocated once
/// and never moves, so its addresses can be handed to <c>recvmmsg</c>/<c>sendmmsg</c> directly.
/// </summary>
/// <remarks>
/// Not thread-safe: a batch is owned by one thread at a time (a poll thread). Nothing here allocates
/// after construction.
/// </remarks>
public sealed unsafe class PacketBatch : IDisposable
{
    /// <summary>Default number of slots: OVS's NETDEV_MAX_BURST (32 packets).</summary>
    public const int DefaultCapacity = 32;

    /// <summary>Default slot size in bytes: a 1500-byte MTU frame plus two VLAN tags and headroom.</summary>
    public const int DefaultSlotSize = 2048;

    /// <summary>
    /// Slot size in bytes for datapaths whose ports carry virtio-net headers: a 64 KB GSO super-frame (IP total length
    /// up to 65,535 bytes) plus its Ethernet header, two VLAN tags and headroom for a pushed tag.
    /// </summary>
    public const int LargeSlotSize = 65536 + 512;

    private readonly byte* _block;
    private readonly int[] _lengths;
    private readonly int[] _inPorts;
    private readonly VirtioNetHeader[] _vnet;
    private int _count;
    private bool _disposed;

    /// <summary>Allocates <paramref name="capacity"/> slots of <paramref name="slotSize"/> bytes each.</summary>
    /// <param name="capacity">Number of slots (packets), 1..1024.</param>
    /// <param name="slotSize">Bytes per slot, 64..<see cref="LargeSlotSize"/>, rounded up to a multiple of 64.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside its range.</exception>
    public PacketBatch(int capacity = DefaultCapacity, int slotSize = DefaultSlotSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 64);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slotSize, LargeSlotSize);
        slotSize = (slotSize + 63) & ~63;
        Capacity = capacity;
        SlotSize = slotSize;
        _block = (byte*)NativeMemory.AlignedAlloc((nuint)(capacity * slotSize), 64);
        _lengths = new int[capacity];
        _inPorts = new int[capacity];
        _vnet = GC.AllocateArray<VirtioNetHeader>(capacity, pinned: true);
    }

    /// <summary>Number of slots.</summary>
    public int Capacity { get; }

    /// <summary>Bytes per slot: the largest frame a slot holds.</summary>
    public int SlotSize { get; }

    /// <summary>Number of slots in use, from slot 0. Setting it does not touch the slots' contents.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above <see cref="Capacity"/>.</exception>
    public int Count
    {
        get => _count;
        set
        {
            if ((uint)value > (uint)Capacity)
            {
                ThrowCount();
            }

            _count = value;
        }
    }

    /// <summary>
    /// The counter row (<see cref="Ports.PortCounters"/>) ports add this batch's frames to: 1 + the index of the poll
    /// thread that owns the batch, so each poll thread writes only its own row; 0 (the default) for batches outside a
    /// poll thread, whose counts are added atomically to the shared row.
    /// </summary>
    public int Writer { get; set; }

    /// <summary>True when every slot is in use.</summary>
    public bool IsFull => _count == Capacity;

    /// <summary>The whole writable slot <paramref name="index"/> (<see cref="SlotSize"/> bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Slot(int index)
    {
        if ((uint)index >= (uint)Capacity)
        {
            ThrowIndex();
        }

        return new Span<byte>(_block + ((nint)index * SlotSize), SlotSize);
    }

    /// <summary>The frame in slot <paramref name="index"/>: the slot cut to its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Frame(int index) => Slot(index)[.._lengths[index]];

    /// <summary>Frame length in bytes of slot <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Length(int index) => _lengths[index];

    /// <summary>Sets the frame length in bytes of slot <paramref name="index"/> and marks it complete (a zero <see cref="Vnet"/> header).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or above <see cref="SlotSize"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetLength(int index, int length)
    {
        if ((uint)length > (uint)SlotSize)
        {
            ThrowLength();
        }

        _lengths[index] = length;
        _vnet[index] = default;
    }

    /// <summary>Sets the frame length in bytes of slot <paramref name="index"/> and its virtio-net header.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or above <see cref="SlotSize"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetLength(int index, int length, in VirtioNetHeader vnet)
    {
        if ((uint)length > (uint)SlotSize)
        {
            ThrowLength();
        }

        _lengths[index] = length;
        _vnet[index] = vnet;
    }

    /// <summary>
    /// The virtio-net header of slot <paramref name="index"/>: what a port with vnet headers received with the frame, or
    /// what a port with vnet headers will send; all zero (a complete frame) otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref VirtioNetHeader Vnet(int index) => ref _vnet[index];

    /// <summary>The datapath port number a received frame came from (set by the receive loop; 0 if unset).</summary>
    public int InPort(int index) => _inPorts[index];

    /// <summary>Records the datapath port number slot <paramref name="index"/> was received on.</summary>
    public void SetInPort(int index, int port) => _inPorts[index] = port;

    /// <summary>
    /// Copies <paramref name="frame"/> into the next free slot.
    /// Returns false (copying nothing) when the batch is full or the frame is larger than a slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAppend(ReadOnlySpan<byte> frame) => TryAppend(frame, default);

    /// <summary>
    /// Copies <paramref name="frame"/> with its virtio-net header <paramref name="vnet"/> into the next free slot.
    /// Returns false (copying nothing) when the batch is full or the frame is larger than a slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAppend(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet)
    {
        if (_count == Capacity || frame.Length > SlotSize)
        {
            return false;
        }

        frame.CopyTo(new Span<byte>(_block + ((nint)_count * SlotSize), SlotSize));
        _lengths[_count] = frame.Length;
        _vnet[_count] = vnet;
        _count++;
        return true;
    }

    /// <summary>
    /// The whole next free slot (<see cref="SlotSize"/> bytes), to be written in place and then taken with
    /// <see cref="Commit"/>; empty when the batch is full.
    /// </summary>
    public Span<byte> NextFreeSlot() => _count == Capacity ? Span<byte>.Empty : new Span<byte>(_block + ((nint)_count * SlotSize), SlotSize);

    /// <summary>Takes the slot <see cref="NextFreeSlot"/> returned as a complete frame of <paramref name="length"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch is full or the length is outside 0..<see cref="SlotSize"/>.</exception>
    public void Commit(int length)
    {
        if (_count == Capacity)
        {
            ThrowCount();
        }

        SetLength(_count, length);
        _count++;
    }

    /// <summary>Marks every slot free (Count = 0).</summary>
    public void Clear() => _count = 0;

    /// <summary>Native address of slot <paramref name="index"/>, for scatter/gather system calls.</summary>
    internal byte* SlotPointer(int index) => _block + ((nint)index * SlotSize);

    /// <summary>Native address of slot <paramref name="index"/>'s virtio-net header (<see cref="VirtioNetHeader.Size"/> bytes, pinned), for scatter/gather system calls.</summary>
    internal VirtioNetHeader* VnetPointer(int index) =>
        (VirtioNetHeader*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_vnet)) + index;

    /// <summary>Frees the native block. The batch must not be used afterwards.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            NativeMemory.AlignedFree(_block);
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Frees the native block if <see cref="Dispose"/> was never called.</summary>
    ~PacketBatch()
    {
        if (!_disposed)
        {
            NativeMemory.AlignedFree(_block);
        }
    }

    private static void ThrowIndex() => throw new ArgumentOutOfRangeException("index", "slot index outside the batch");

    private static void ThrowCount() => throw new ArgumentOutOfRangeException("value", "count outside 0..Capacity");

    private static void ThrowLength() => throw new ArgumentOutOfRangeException("length", "frame length outside 0..SlotSize");
}
