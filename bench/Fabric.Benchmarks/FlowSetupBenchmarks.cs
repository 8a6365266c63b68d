using System.Buffers.Binary;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Benchmarks;

/// <summary>
/// Flow setup rate of the slow path (OVS "flow setups per second"): frames that miss every megaflow are injected on
/// an in-memory port of a running datapath, and each one goes the whole way a node sends it: poll thread miss →
/// <see cref="UpcallQueue"/> → the upcall pump and <see cref="UpcallRouter"/> → a flow-table shard's inbox → NORMAL
/// translation → (the bridge, when the source must be learned) → the datapath actor, which installs the megaflow
/// and journals it → the packet-out, executed by poll thread 0 onto the other two memory ports. One operation is one
/// megaflow installed and its packet flooded, so megaflows/s = 1e9 / (ns per op), shown as Op/s.
/// </summary>
/// <remarks>
/// <para>Every frame has a new destination MAC (unknown, so flooded: one megaflow each, on dl_dst); with
/// <see cref="NewSources"/> each also has a new source MAC, which the bridge learns before the install.</para>
/// <para><see cref="Journal"/>: <c>sqlite</c> is the node's default store (Akka.Persistence.Sql on a SQLite file in a
/// temporary directory, configured by <see cref="JournalStore.Sqlite"/>); <c>memory</c> is Akka.Persistence's
/// in-memory journal and snapshot store.</para>
/// <para>The injector keeps at most <see cref="Window"/> frames ahead of the installed megaflows so that no queue
/// overflows (a lost upcall would never complete); the table and the MAC table are flushed before each iteration.
/// Run: <c>dotnet run -c Release --project bench/Fabric.Benchmarks -- --filter '*FlowSetup*' --job short</c>, or, to
/// see the CPU time each megaflow costs (what a loaded machine does not distort),
/// <c>dotnet run -c Release --project bench/Fabric.Benchmarks -- flowsetup [ITERATIONS]</c> (<see cref="RunStandalone"/>).</para>
/// </remarks>
[MemoryDiagnoser]
[OperationsPerSecond]
[MedianColumn]
public class FlowSetupBenchmarks
{
    /// <summary>Megaflows set up per operation batch (one benchmark invocation).</summary>
    public const int Flows = 8192;

    /// <summary>Most frames injected ahead of the megaflows installed.</summary>
    public const int Window = 512;

    private const ulong FixedSource = 0x5254_0000_0001UL;
    private const ulong SourceBase = 0x5254_1000_0000UL;
    private const ulong DestinationBase = 0x0200_0000_0000UL;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly byte[] _frame = new byte[64];
    private ActorSystem _system = null!;
    private DatapathEngine _datapath = null!;
    private MemoryPort[] _ports = null!;
    private IActorRef _datapathActor = ActorRefs.Nobody;
    private IActorRef _bridge = ActorRefs.Nobody;
    private UpcallRouter _router = null!;
    private CancellationTokenSource _pumpStop = null!;
    private Task _pump = Task.CompletedTask;
    private string? _dir;
    private long _round;

    /// <summary>The values of <see cref="Journal"/>.</summary>
    public static readonly IReadOnlyList<string> JournalNames = ["sqlite", "memory"];

    /// <summary>Where the datapath actor journals: <c>sqlite</c> (the node's default) or <c>memory</c>.</summary>
    [Params("sqlite", "memory")]
    public string Journal { get; set; } = "sqlite";

    /// <summary>Each frame also has a new source MAC (the bridge learns it before the install).</summary>
    [Params(false, true)]
    public bool NewSources { get; set; }

    /// <summary>Starts the actor system, the datapath with three memory ports and its poll threads, the datapath actor, a bridge and the upcall pump.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Config store;
        if (Journal == "sqlite")
        {
            _dir = Directory.CreateTempSubdirectory("fabric-flowsetup-").FullName;
            var path = Path.Combine(_dir, "fabric.db");
            JournalStore.PrepareSqlite(path);
            store = JournalStore.Sqlite(path);
        }
        else
        {
            store = ConfigurationFactory.ParseString(
                "akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"\n" +
                "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.inmem\"");
        }

        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.actor.serialization-settings.allow-unregistered-types = false")
            .WithFallback(DatapathEventSerializer.Config)
            .WithFallback(store);
        _system = ActorSystem.Create("flowsetup", config);
        _datapath = new DatapathEngine(new DatapathOptions(), TimeProvider.System);
        _ports = [new MemoryPort("p1"), new MemoryPort("p2"), new MemoryPort("p3")];
        var bridgePorts = new List<BridgePort>();
        foreach (var p in _ports)
        {
            var no = _datapath.AddPort(p);
            bridgePorts.Add(new BridgePort { Name = p.Name, OfPort = no, DpPort = no, Type = "dummy" });
        }

        _datapathActor = _system.ActorOf(
            DatapathActor.SupervisedProps(_datapath, new DatapathPersistenceSettings(), new LiveTableState(), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2),
            "datapath-supervisor");
        _datapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), Timeout).GetAwaiter().GetResult();
        _router = new UpcallRouter();
        _bridge = _system.ActorOf(BridgeActor.Props(new BridgeSettings { Name = "br0", Ports = bridgePorts, MacTableSize = 4 * Flows }, _datapath, _datapathActor, _router), "br0");
        _bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), Timeout).GetAwaiter().GetResult();
        _datapath.Start();
        _pumpStop = new CancellationTokenSource();
        _pump = Task.Factory.StartNew(() => _router.PumpAsync(_datapath.Upcalls, _pumpStop.Token), TaskCreationOptions.LongRunning).Unwrap();
    }

    /// <summary>Flushes the MAC table and every megaflow, and drops what the ports sent.</summary>
    [IterationSetup]
    public void Flush()
    {
        // Flows first: one "cleared" change in the journal, where a MAC flush first would journal one delete per flow.
        _datapathActor.Ask<DatapathProtocol.FlowsDeleted>(new DatapathProtocol.DeleteAllFlows(), Timeout).GetAwaiter().GetResult();
        _bridge.Ask<BridgeProtocol.FdbFlushed>(new BridgeProtocol.FlushFdb(), Timeout).GetAwaiter().GetResult();
        TakeSent();
    }

    /// <summary><see cref="Flows"/> new megaflows set up through the whole slow path, each with its packet-out sent.</summary>
    [Benchmark(OperationsPerInvoke = Flows)]
    public void FlowSetup()
    {
        var round = ++_round;
        var inPort = _ports[0];
        var flows = _datapath.Flows;
        var baseFlows = flows.Count;
        var sentTarget = _ports[1].SentCount + _ports[2].SentCount + (2L * Flows);
        var started = Stopwatch.GetTimestamp();
        var injected = 0;
        var spin = default(SpinWait);
        while (flows.Count - baseFlows < Flows || _ports[1].SentCount + _ports[2].SentCount < sentTarget)
        {
            var progressed = false;
            while (injected < Flows && injected - (flows.Count - baseFlows) < Window)
            {
                var n = (ulong)((round * Flows) + injected);
                WriteFrame(_frame, NewSources ? SourceBase + n : FixedSource, DestinationBase + n);
                inPort.Inject(_frame);
                injected++;
                progressed = true;
            }

            if (!progressed)
            {
                if (Stopwatch.GetElapsedTime(started) > Timeout)
                {
                    throw new TimeoutException(
                        $"flow setup stalled: {flows.Count - baseFlows}/{Flows} megaflows, {_ports[1].SentCount + _ports[2].SentCount}/{sentTarget} sent, " +
                        $"upcall queue {_datapath.Upcalls.Count}, router lost {_router.Lost}, datapath lost {_datapath.Stats.Lost}");
                }

                spin.SpinOnce();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="iterations"/> operations of every case after as many warm-up ones and prints, per case,
    /// the median wall-clock rate (megaflows/s) and the median process CPU time per megaflow (µs, all threads:
    /// poll threads, actors, journal). <paramref name="journalOnly"/> (<c>sqlite</c> or <c>memory</c>) runs that
    /// journal's cases alone; null runs both.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="journalOnly"/> is neither null, <c>sqlite</c> nor <c>memory</c>.</exception>
    public static void RunStandalone(int iterations, TextWriter output, string? journalOnly = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<string> journals = journalOnly is null ? JournalNames
            : JournalNames.Contains(journalOnly) ? [journalOnly]
            : throw new ArgumentException($"journal '{journalOnly}': expected {string.Join(" or ", JournalNames)}", nameof(journalOnly));
        output.WriteLine($"flow setup, {Flows} megaflows per operation, {iterations} operations per case (medians)");
        foreach (var journal in journals)
        {
            foreach (var newSources in new[] { false, true })
            {
                var b = new FlowSetupBenchmarks { Journal = journal, NewSources = newSources };
                b.Setup();
                var rates = new List<double>();
                var cpus = new List<double>();
                var process = Process.GetCurrentProcess();
                var gen2 = GC.CollectionCount(2);
                var gen0 = GC.CollectionCount(0);
                for (var i = 0; i < 2 * iterations; i++)
                {
                    b.Flush();
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var wall = Stopwatch.GetTimestamp();
                    b.FlowSetup();
                    var elapsed = Stopwatch.GetElapsedTime(wall);
                    process.Refresh();
                    if (i >= iterations)
                    {
                        rates.Add(Flows / elapsed.TotalSeconds);
                        cpus.Add((process.TotalProcessorTime - cpu).TotalMicroseconds / Flows);
                    }
                }

                gen0 = GC.CollectionCount(0) - gen0;
                gen2 = GC.CollectionCount(2) - gen2;
                var journalFigures = b._datapathActor.Ask<DatapathProtocol.PersistenceStatus>(new DatapathProtocol.GetPersistenceStatus(), Timeout).GetAwaiter().GetResult().Journal;
                b.Cleanup();
                rates.Sort();
                cpus.Sort();
                output.WriteLine(
                    $"journal={journal,-6} new-sources={newSources,-5}  {rates[rates.Count / 2],9:N0} megaflows/s  {cpus[cpus.Count / 2],6:F2} µs CPU per megaflow" +
                    $"  ({journalFigures.Changes / Math.Max(1, journalFigures.Events)} changes per journal event, {gen0} gen0 / {gen2} gen2 collections in {2 * iterations} operations)");
            }
        }
    }

    /// <summary>Stops the pump, the poll threads and the actor system; deletes the SQLite file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _pumpStop.Cancel();
        _pump.GetAwaiter().GetResult();
        _datapath.Stop();
        _system.Terminate().GetAwaiter().GetResult();
        _datapath.Dispose();
        foreach (var p in _ports)
        {
            p.Dispose();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private void TakeSent()
    {
        foreach (var p in _ports)
        {
            while (p.TryTakeSent(out _))
            {
            }
        }
    }

    // 64-byte Ethernet II / IPv4 / UDP frame from src to dst (MACs as 48-bit numbers).
    private static void WriteFrame(Span<byte> f, ulong src, ulong dst)
    {
        f.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(f, dst << 16);
        BinaryPrimitives.WriteUInt64BigEndian(f[6..], src << 16);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        f[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(f[16..], 50);
        f[22] = 64;
        f[23] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(f[26..], 0x0a00_0001);
        BinaryPrimitives.WriteUInt32BigEndian(f[30..], 0x0a00_0002);
        BinaryPrimitives.WriteUInt16BigEndian(f[34..], 40_000);
        BinaryPrimitives.WriteUInt16BigEndian(f[36..], 53);
        BinaryPrimitives.WriteUInt16BigEndian(f[38..], 30);
    }
}
