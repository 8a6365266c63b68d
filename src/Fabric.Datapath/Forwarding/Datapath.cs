using System.Collections.Concurrent;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// The datapath facade: ports, the megaflow table, the upcall queue, statistics and the poll threads (OVS's
/// userspace dpif-netdev, ovs-facts §3.2). The control plane installs megaflows into <see cref="Flows"/>,
/// reads <see cref="Upcalls"/> and sends packet-outs with <see cref="Execute"/>; poll threads forward everything
/// else without locks or allocation.
/// </summary>
/// <remarks>
/// Port changes publish an immutable snapshot that poll threads pick up at their next iteration; the datapath
/// does not own its ports (disposing it does not dispose them). Knows nothing of actors.
/// </remarks>
public sealed class Datapath : IDisposable
{
    private readonly object _portLock = new();
    private readonly ConcurrentQueue<PacketOut> _packetOuts = new();
    private readonly TimeProvider _timeProvider;
    private readonly PollThread[] _pollThreads;
    private PortSet _ports = PortSet.Empty;
    private int _packetOutsSignalled;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates a stopped datapath with no ports.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="DatapathOptions.Validate"/>).</exception>
    public Datapath(DatapathOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        Options = options;
        _timeProvider = timeProvider;
        Flows = new MegaflowTable(options.FlowLimit, timeProvider) { PollThreads = options.PollThreads };
        Stats = new DatapathStats(options.PollThreads);
        Upcalls = new UpcallQueue(options.UpcallQueueCapacity);
        Bonds = new BondTable(options.PollThreads);
        _pollThreads = new PollThread[options.PollThreads];
        for (int i = 0; i < _pollThreads.Length; i++)
        {
            _pollThreads[i] = new PollThread(this, i);
        }
    }

    /// <summary>The megaflow table read by the poll threads; the control plane is its single writer.</summary>
    public MegaflowTable Flows { get; }

    /// <summary>Packets that missed every megaflow, waiting for the slow path.</summary>
    public UpcallQueue Upcalls { get; }

    /// <summary>The bonds' bucket maps (bond outputs resolve through them); the control plane is their single writer.</summary>
    public BondTable Bonds { get; }

    /// <summary>Lookup and drop counters, one row per poll thread (<see cref="DatapathStats.ForPollThread"/>).</summary>
    public DatapathStats Stats { get; }

    /// <summary>The clock that stamps megaflow use and creation times (Unix ms); the control plane compares against it.</summary>
    public TimeProvider Clock => _timeProvider;

    /// <summary>The settings this datapath was created with.</summary>
    public DatapathOptions Options { get; }

    /// <summary>The ports by datapath port number (an immutable snapshot).</summary>
    public IReadOnlyDictionary<ushort, IDatapathPort> Ports => Volatile.Read(ref _ports).Ports;

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_portLock)
            {
                return _started;
            }
        }
    }

    internal PortSet PortSnapshot => Volatile.Read(ref _ports);

    /// <summary>
    /// The poll thread (0-based, thread "fabric-poll-N") that receives on port <paramref name="portNo"/>, or -1 when
    /// there is no such port. A port goes to the thread that receives on the fewest ports when it is added and keeps it
    /// until removed (OVS pmd-rxq-assign=roundrobin for ports added one by one).
    /// </summary>
    public int PollThreadOf(ushort portNo)
    {
        PortSet ports = Volatile.Read(ref _ports);
        return ports.Ports.ContainsKey(portNo) ? ports.ThreadOf(portNo) : -1;
    }

    /// <summary>The datapath ports poll thread <paramref name="index"/> is given, ascending (including ports that never receive, such as VXLAN tunnels).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..<see cref="DatapathOptions.PollThreads"/>-1.</exception>
    public IReadOnlyList<ushort> PortsOfPollThread(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _pollThreads.Length);
        return Volatile.Read(ref _ports).PortsOf(index);
    }

    /// <summary>
    /// Adds <paramref name="port"/> as number <paramref name="requestedPortNo"/>, or the lowest free number ≥ 1
    /// when 0. Poll threads start receiving from it at their next iteration. Returns the port number.
    /// </summary>
    /// <exception cref="InvalidOperationException">The number is taken, the port is already added, or all 65535 numbers are in use.</exception>
    public ushort AddPort(IDatapathPort port, ushort requestedPortNo = 0)
    {
        ArgumentNullException.ThrowIfNull(port);
        lock (_portLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PortSet current = _ports;
            foreach (KeyValuePair<ushort, IDatapathPort> kv in current.Ports)
            {
                if (ReferenceEquals(kv.Value, port))
                {
                    throw new InvalidOperationException($"port {port.Name} is already datapath port {kv.Key}");
                }
            }

            ushort no = requestedPortNo;
            if (no == 0)
            {
                for (int candidate = 1; candidate <= ushort.MaxValue; candidate++)
                {
                    if (!current.Ports.ContainsKey((ushort)candidate))
                    {
                        no = (ushort)candidate;
                        break;
                    }
                }

                if (no == 0)
                {
                    throw new InvalidOperationException("no free datapath port number");
                }
            }
            else if (current.Ports.TryGetValue(no, out IDatapathPort? taken))
            {
                throw new InvalidOperationException($"datapath port number {no} is taken by {taken.Name}");
            }

            Publish(current.With(no, port, _pollThreads.Length));
            return no;
        }
    }

    /// <summary>
    /// Removes port <paramref name="portNo"/>; returns false when there is none. When the poll threads are
    /// running, waits (up to 2 s) until each has switched to the new port set, so the caller may dispose the
    /// port afterwards. Megaflows that output to it are left to the control plane to revalidate.
    /// </summary>
    public bool RemovePort(ushort portNo)
    {
        long version;
        lock (_portLock)
        {
            PortSet current = _ports;
            if (!current.Ports.ContainsKey(portNo))
            {
                return false;
            }

            PortSet next = current.Without(portNo);
            version = next.Version;
            Publish(next);
        }

        WaitForQuiescence(version);
        return true;
    }

    /// <summary>The port with number <paramref name="portNo"/>, or null.</summary>
    public IDatapathPort? GetPort(ushort portNo) =>
        Volatile.Read(ref _ports).Ports.TryGetValue(portNo, out IDatapathPort? p) ? p : null;

    /// <summary>
    /// Packet-out from the slow path (OVS dpif_execute): copies <paramref name="frame"/> and queues it with
    /// <paramref name="actions"/> for poll thread 0, which executes it (so transmit batches stay single-threaded).
    /// Thread-safe. Output to <paramref name="inPort"/> itself is skipped as for any packet; use in_port 0 to
    /// allow every port. Packets queued before <see cref="Start"/> are executed once it runs. Poll thread 0 is
    /// woken once per burst: a packet-out queued while an earlier one still waits rides on that wake-up.
    /// </summary>
    public void Execute(ushort inPort, ReadOnlySpan<byte> frame, DatapathActions actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        _packetOuts.Enqueue(new PacketOut(inPort, frame.ToArray(), actions));
        if (Interlocked.Exchange(ref _packetOutsSignalled, 1) == 0)
        {
            _pollThreads[0].Wake();
        }
    }

    /// <summary>Number of packet-outs waiting to be executed.</summary>
    public int PendingPacketOuts => _packetOuts.Count;

    /// <summary>Starts the poll threads (dedicated background threads named "fabric-poll-N"). Idempotent.</summary>
    public void Start()
    {
        lock (_portLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            foreach (PollThread t in _pollThreads)
            {
                t.Start();
            }
        }
    }

    /// <summary>Stops the poll threads after their current iteration (pending transmit batches are sent). Idempotent.</summary>
    public void Stop()
    {
        lock (_portLock)
        {
            if (!_started)
            {
                return;
            }

            _started = false;
        }

        foreach (PollThread t in _pollThreads)
        {
            t.Stop();
        }
    }

    /// <summary>
    /// Runs one iteration of every poll thread's loop on the calling thread without waiting: receive from every
    /// port, forward, execute packet-outs, send. For deterministic tests and single-threaded embedding; only
    /// while stopped. Returns the number of frames received.
    /// </summary>
    /// <exception cref="InvalidOperationException">The poll threads are running.</exception>
    public int RunOnce()
    {
        lock (_portLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("RunOnce is only allowed while the datapath is stopped");
            }

            int received = 0;
            foreach (PollThread t in _pollThreads)
            {
                received += t.RunIteration(-1);
            }

            return received;
        }
    }

    /// <summary>Stops the poll threads and frees their buffers. Ports are not disposed.</summary>
    public void Dispose()
    {
        Stop();
        lock (_portLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (PollThread t in _pollThreads)
        {
            t.Dispose();
        }

        Upcalls.Complete();
    }

    /// <summary>Current Unix time in ms from the datapath's clock.</summary>
    internal long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Executes every queued packet-out into <paramref name="outputs"/> (poll thread 0 only).</summary>
    internal void DrainPacketOuts(OutputBatches outputs)
    {
        // Before dequeuing: a packet-out queued from here on wakes the thread again.
        Interlocked.Exchange(ref _packetOutsSignalled, 0);
        int budget = 256;
        while (budget-- > 0 && _packetOuts.TryDequeue(out PacketOut? po))
        {
            // A packet-out that asks for the slow path again is not sent back up (it would loop).
            ActionExecutor.Execute(po.Frame, po.InPort, po.Actions, outputs);
        }

        if (!_packetOuts.IsEmpty)
        {
            _pollThreads[0].Wake();
        }
    }

    private void Publish(PortSet ports)
    {
        Volatile.Write(ref _ports, ports);
        foreach (PollThread t in _pollThreads)
        {
            t.Wake();
        }
    }

    private void WaitForQuiescence(long version)
    {
        long deadline = Environment.TickCount64 + 2000;
        foreach (PollThread t in _pollThreads)
        {
            var spin = default(SpinWait);
            while (t.IsRunning && t.SeenVersion < version && Environment.TickCount64 < deadline)
            {
                t.Wake();
                spin.SpinOnce();
            }
        }
    }
}
