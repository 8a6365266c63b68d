using Fabric.Datapath.Bonds;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Offloads;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Actions;

/// <summary>
/// The per-output-port transmit batches of one poll thread: <see cref="ActionExecutor"/> appends frame copies
/// here and the poll loop sends every non-empty batch after each receive batch (OVS dp_netdev's per-port
/// output batching). A batch that fills up mid-way is sent at once.
/// </summary>
/// <remarks>
/// Offloads: a frame's virtio-net header goes with it to a port that has vnet headers
/// (<see cref="IDatapathPort.VnetHeaders"/>), so GSO super-frames and partial checksums cross the switch whole. For any
/// other port a TCP or UDP (USO) GSO frame is cut into segments (<see cref="GsoSegmentPlan"/>), each written straight into
/// its own slot of the port's batch, and a partial checksum is completed in the queued copy (<see cref="PartialChecksum"/>).
/// Frames that cannot be handled so (UFO, headers that do not parse, offsets outside the frame) are dropped and counted in
/// <see cref="OffloadDropped"/>.
/// </remarks>
/// <remarks>Owned by one thread; not thread-safe. Appending and flushing allocate nothing.</remarks>
public sealed class OutputBatches : IDisposable
{
    private readonly int _batchCapacity;
    private readonly int _slotSize;
    private PacketBatch?[] _batches = [];
    private IDatapathPort?[] _ports = [];
    private bool[] _vnetPorts = [];
    private bool[] _pending = [];
    private ushort[] _pendingList = [];
    private int _pendingCount;
    private byte[]? _heapScratch;
    private BondTable? _bonds;
    private int _thread;

    /// <summary>Creates an empty set; every port batch will hold <paramref name="batchCapacity"/> frames of up to <paramref name="slotSize"/> bytes.</summary>
    public OutputBatches(int batchCapacity = PacketBatch.DefaultCapacity, int slotSize = PacketBatch.DefaultSlotSize)
    {
        _batchCapacity = batchCapacity;
        _slotSize = slotSize;
    }

    /// <summary>
    /// Lets bond outputs be resolved through <paramref name="bonds"/>, counting bucket bytes in row
    /// <paramref name="thread"/> (this batch set's poll thread). Without it bond outputs drop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="thread"/> is not a row of the table's counters.</exception>
    public void AttachBonds(BondTable bonds, int thread)
    {
        ArgumentNullException.ThrowIfNull(bonds);
        ArgumentOutOfRangeException.ThrowIfNegative(thread);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(thread, bonds.Threads);
        _bonds = bonds;
        _thread = thread;
    }

    /// <summary>
    /// The member datapath port bond <paramref name="bondId"/> sends bucket <paramref name="bucket"/> on now, or 0 (drop:
    /// no such bond, no enabled member); counts <paramref name="bytes"/> on the bucket when a member is found.
    /// </summary>
    internal ushort ResolveBond(ushort bondId, int bucket, int bytes)
    {
        if (_bonds?.Get(bondId) is not { } map)
        {
            return 0;
        }

        ushort member = map.OutputOf(bucket);
        if (member != 0)
        {
            map.Counters.Add(_thread, bucket, bytes);
        }

        return member;
    }

    /// <summary>
    /// The counter row of the thread that owns this set (1 + its poll thread index; 0 = shared, the default), given to
    /// every transmit batch as <see cref="PacketBatch.Writer"/> so that ports count each thread's frames in its own row.
    /// Set before <see cref="SetPorts"/>.
    /// </summary>
    public int Writer { get; set; }

    /// <summary>Frames that could not be queued: unknown output port, or a frame larger than a slot (packets).</summary>
    public long Dropped { get; private set; }

    /// <summary>
    /// Frames dropped because their offloads could not be done in software for a port without vnet headers (also in
    /// <see cref="Dropped"/>): a GSO type other than TCPv4, TCPv6 and UDP_L4, a GSO frame whose headers do not parse or whose segments
    /// do not fit a slot, or checksum offsets outside the frame (packets). Also counted per port in
    /// <see cref="PortCounters.TxOffloadDropped"/>, which <c>dpctl/show</c> sums.
    /// </summary>
    public long OffloadDropped { get; private set; }

    /// <summary>
    /// Replaces the set of ports that can be output to. Pending frames are sent first; batches of ports that
    /// disappeared are freed. Called when the datapath's port snapshot changes (allocates).
    /// </summary>
    public void SetPorts(IReadOnlyDictionary<ushort, IDatapathPort> ports)
    {
        Flush();
        int max = 0;
        foreach (ushort p in ports.Keys)
        {
            max = Math.Max(max, p);
        }

        var batches = new PacketBatch?[max + 1];
        var portArray = new IDatapathPort?[max + 1];
        var vnetPorts = new bool[max + 1];
        for (int p = 0; p < _batches.Length; p++)
        {
            PacketBatch? old = _batches[p];
            if (old is null)
            {
                continue;
            }

            if (p <= max && ports.TryGetValue((ushort)p, out IDatapathPort? same) && ReferenceEquals(same, _ports[p]))
            {
                batches[p] = old;
            }
            else
            {
                old.Dispose();
            }
        }

        foreach (KeyValuePair<ushort, IDatapathPort> kv in ports)
        {
            portArray[kv.Key] = kv.Value;
            vnetPorts[kv.Key] = kv.Value.VnetHeaders;
            batches[kv.Key] ??= new PacketBatch(_batchCapacity, _slotSize) { Writer = Writer };
        }

        _batches = batches;
        _ports = portArray;
        _vnetPorts = vnetPorts;
        _pending = new bool[max + 1];
        _pendingList = new ushort[max + 1];
        _pendingCount = 0;
    }

    /// <summary>The transmit batch of <paramref name="port"/>, or null when the port is unknown (tests, benchmarks).</summary>
    public PacketBatch? BatchFor(ushort port) => port < _batches.Length ? _batches[port] : null;

    /// <summary>Number of ports with queued frames.</summary>
    public int PendingPorts => _pendingCount;

    /// <summary>
    /// Queues a copy of <paramref name="frame"/> for <paramref name="port"/>; sends the port's batch first if it
    /// is full. Returns false (and counts a drop) for an unknown port or a frame larger than a slot.
    /// </summary>
    public bool Append(ushort port, ReadOnlySpan<byte> frame) => Append(port, frame, default);

    /// <summary>
    /// Queues a copy of <paramref name="frame"/>, whose virtio-net header is <paramref name="vnet"/>, for
    /// <paramref name="port"/>: with the header to a port with vnet headers, else segmented and checksummed as needed
    /// (see the remarks). Returns false (and counts a drop) for an unknown port, a frame larger than a slot, or offloads
    /// that cannot be done.
    /// </summary>
    public bool Append(ushort port, ReadOnlySpan<byte> frame, in VirtioNetHeader vnet) => Append(port, frame, vnet, softwareOffloads: false);

    /// <summary>As <see cref="Append(ushort, ReadOnlySpan{byte}, in VirtioNetHeader)"/>; with <paramref name="softwareOffloads"/> the offloads are done in software also for a port with vnet headers.</summary>
    internal bool Append(ushort port, ReadOnlySpan<byte> frame, in VirtioNetHeader vnet, bool softwareOffloads)
    {
        if (port >= _batches.Length || _batches[port] is not { } batch)
        {
            Dropped++;
            return false;
        }

        if (vnet.NeedsOffload && (softwareOffloads || !_vnetPorts[port]))
        {
            return AppendInSoftware(port, batch, frame, vnet);
        }

        if (batch.IsFull)
        {
            SendOne(port, batch);
        }

        if (!batch.TryAppend(frame, vnet))
        {
            CountDrop(port, batch);
            return false;
        }

        MarkPending(port);
        return true;
    }

    /// <summary>Sends every non-empty batch to its port and clears it; returns the number of frames handed to ports.</summary>
    public int Flush()
    {
        int sent = 0;
        for (int i = 0; i < _pendingCount; i++)
        {
            ushort port = _pendingList[i];
            _pending[port] = false;
            PacketBatch? batch = _batches[port];
            if (batch is not null && batch.Count > 0)
            {
                sent += batch.Count;
                SendOne(port, batch);
            }
        }

        _pendingCount = 0;
        return sent;
    }

    /// <summary>Empties every batch without sending (benchmarks measure the forwarding decision alone).</summary>
    public void Clear()
    {
        for (int i = 0; i < _pendingCount; i++)
        {
            ushort port = _pendingList[i];
            _pending[port] = false;
            _batches[port]?.Clear();
        }

        _pendingCount = 0;
    }

    /// <summary>Frees every batch.</summary>
    public void Dispose()
    {
        foreach (PacketBatch? b in _batches)
        {
            b?.Dispose();
        }

        _batches = [];
        _ports = [];
        _pendingCount = 0;
    }

    /// <summary>A reusable heap scratch buffer of at least <paramref name="length"/> bytes, for frames too big for the stack scratch.</summary>
    internal Span<byte> HeapScratch(int length)
    {
        if (_heapScratch is null || _heapScratch.Length < length)
        {
            _heapScratch = new byte[Math.Max(length, 65536 + 16)];
        }

        return _heapScratch;
    }

    /// <summary>Does a frame's offloads in software for a port without vnet headers: segments a TCP or UDP GSO frame, or completes a partial checksum.</summary>
    private bool AppendInSoftware(ushort port, PacketBatch batch, ReadOnlySpan<byte> frame, in VirtioNetHeader vnet)
    {
        if (vnet.GsoType == VirtioGsoType.None)
        {
            if (batch.IsFull)
            {
                SendOne(port, batch);
            }

            if (!batch.TryAppend(frame))
            {
                CountDrop(port, batch);
                return false;
            }

            if (!PartialChecksum.Complete(batch.Frame(batch.Count - 1), vnet))
            {
                batch.Count--;
                return CountOffloadDrop(port, batch);
            }

            MarkPending(port);
            return true;
        }

        if (!GsoSegmentPlan.TryCreate(frame, vnet, out GsoSegmentPlan plan) || plan.MaxSegmentLength > batch.SlotSize)
        {
            return CountOffloadDrop(port, batch);
        }

        for (int s = 0; s < plan.Count; s++)
        {
            if (batch.IsFull)
            {
                SendOne(port, batch);
            }

            batch.Commit(plan.Write(frame, s, batch.NextFreeSlot()));
        }

        MarkPending(port);
        return true;
    }

    private bool CountOffloadDrop(ushort port, PacketBatch batch)
    {
        OffloadDropped++;
        Dropped++;
        _ports[port]!.Counters.AddTxOffloadDropped(batch.Writer, 1);
        return false;
    }

    private void CountDrop(ushort port, PacketBatch batch)
    {
        Dropped++;
        _ports[port]!.Counters.AddTxDropped(batch.Writer, 1);
    }

    private void MarkPending(ushort port)
    {
        if (!_pending[port])
        {
            _pending[port] = true;
            _pendingList[_pendingCount++] = port;
        }
    }

    private void SendOne(ushort port, PacketBatch batch)
    {
        _ports[port]?.Send(batch);
        batch.Clear();
    }
}
