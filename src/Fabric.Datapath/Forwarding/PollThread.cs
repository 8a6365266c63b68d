using Fabric.Datapath.Actions;
using Fabric.Datapath.Buffers;
using Fabric.Datapath.Megaflows;
using Fabric.Datapath.Ports;

namespace Fabric.Datapath.Forwarding;

/// <summary>
/// One poll thread (OVS PMD thread): waits on its ports with a <see cref="PortPoller"/>, receives batches,
/// parses each frame, looks it up in its exact-match cache and then the megaflow table, executes the actions
/// into per-port transmit batches and sends them after the batch; misses become upcalls. Thread 0 also
/// executes packet-outs and re-ranks the megaflow subtables.
/// </summary>
/// <remarks>
/// Each thread has its own exact-match cache, receive and transmit batches and its own row of every counter it writes
/// (<see cref="CounterRows"/>): the megaflows' statistics slots, <see cref="DatapathStats"/>, the parse drops, the ports'
/// counters and the bonds' bucket counters. While its last iteration received frames it polls its ports again at once
/// without calling poll(2) (a busy PMD thread does not sleep); it waits in poll(2) only once an iteration found nothing.
/// </remarks>
internal sealed class PollThread : IDisposable
{
    private readonly Datapath _datapath;
    private readonly int _index;
    private readonly FastPath _fastPath;
    private readonly ExactMatchCache _emc;
    private readonly OutputBatches _outputs;
    private readonly PacketBatch _rx;
    private readonly PortPoller _poller;
    private PortSet _ports = PortSet.Empty;
    private IDatapathPort[] _rxPorts = [];
    private ushort[] _rxInPorts = [];
    private long _seenVersion = -1;
    private long _nextRerankMs;
    private bool _busy;
    private Thread? _thread;
    private volatile bool _stop;

    public PollThread(Datapath datapath, int index)
    {
        _datapath = datapath;
        _index = index;
        DatapathOptions o = datapath.Options;
        _emc = new ExactMatchCache(o.EmcEntries, o.EmcInsertInvProb, (uint)(0x9E3779B9 * (index + 1)));
        _outputs = new OutputBatches(Math.Max(o.BatchSize, PacketBatch.DefaultCapacity), o.EffectiveSlotSize) { Writer = index + 1 };
        _outputs.AttachBonds(datapath.Bonds, index);
        _rx = new PacketBatch(o.BatchSize, o.EffectiveSlotSize) { Writer = index + 1 };
        _fastPath = new FastPath(datapath.Flows, datapath.Stats, datapath.Upcalls, _emc, _outputs, index);
        _poller = new PortPoller([]);
    }

    /// <summary>The port-set version this thread last switched to (for quiescence after a port removal).</summary>
    public long SeenVersion => Volatile.Read(ref _seenVersion);

    public bool IsRunning => _thread is { IsAlive: true };

    public void Start()
    {
        _stop = false;
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"fabric-poll-{_index}",
        };
        _thread.Start();
    }

    public void Stop()
    {
        _stop = true;
        _poller.Wake();
        _thread?.Join();
        _thread = null;
    }

    public void Wake() => _poller.Wake();

    /// <summary>
    /// One loop iteration: wait (up to <paramref name="timeoutMs"/>; not at all after an iteration that received frames,
    /// nor when negative), receive and forward, send. Returns frames received.
    /// </summary>
    public int RunIteration(int timeoutMs)
    {
        PortSet ports = _datapath.PortSnapshot;
        if (!ReferenceEquals(ports, _ports))
        {
            SwitchPorts(ports);
        }

        // Busy: try every port again without poll(2), which would also sleep up to 1 ms with fd-less ports.
        bool waited = timeoutMs >= 0 && !_busy;
        if (waited)
        {
            _poller.Wait(timeoutMs);
        }

        long nowMs = _datapath.NowMs();
        int received = 0;
        IDatapathPort[] rxPorts = _rxPorts;
        for (int i = 0; i < rxPorts.Length; i++)
        {
            if (waited && !_poller.IsReadable(i))
            {
                continue;
            }

            int n = rxPorts[i].Receive(_rx);
            if (n > 0)
            {
                received += n;

                // 0 for a demultiplexing port (the VXLAN endpoint): the frames carry their own in_port.
                _fastPath.Process(_rx, _rxInPorts[i], nowMs);
            }
        }

        if (_index == 0)
        {
            _datapath.DrainPacketOuts(_outputs);
            if (nowMs >= _nextRerankMs)
            {
                _nextRerankMs = nowMs + _datapath.Options.RerankIntervalMs;
                _datapath.Flows.Rerank();
            }
        }

        _outputs.Flush();
        _datapath.Upcalls.AfterSend();
        _busy = received > 0;
        return received;
    }

    public void Dispose()
    {
        Stop();
        _poller.Dispose();
        _outputs.Dispose();
        _rx.Dispose();
    }

    private void SwitchPorts(PortSet ports)
    {
        var rxPorts = new List<IDatapathPort>();
        var inPorts = new List<ushort>();
        foreach (ushort no in ports.PortsOf(_index))
        {
            // Ports that never receive (VXLAN tunnels: their endpoint demultiplexes for them) are not polled at all.
            IDatapathPort port = ports.Ports[no];
            switch (port.ReceiveMode)
            {
                case PortReceiveMode.Own:
                    rxPorts.Add(port);
                    inPorts.Add(no);
                    break;
                case PortReceiveMode.PerFrame:
                    rxPorts.Add(port);
                    inPorts.Add(0);
                    break;
            }
        }

        _outputs.SetPorts(ports.Ports);
        _poller.SetPorts(rxPorts);
        _rxPorts = rxPorts.ToArray();
        _rxInPorts = inPorts.ToArray();
        _ports = ports;
        _emc.Clear();
        Volatile.Write(ref _seenVersion, ports.Version);
    }

    private void Run()
    {
        // Counters whose callers pass no writer row (the ports' own) find this thread's row through it.
        CounterRows.CurrentWriter = _index + 1;
        int timeout = _datapath.Options.PollTimeoutMs;
        while (!_stop)
        {
            RunIteration(timeout);
        }

        // Leave nothing queued for transmission, and no shard unwoken.
        _outputs.Flush();
        _datapath.Upcalls.AfterSend();
        Volatile.Write(ref _seenVersion, long.MaxValue);
    }
}
