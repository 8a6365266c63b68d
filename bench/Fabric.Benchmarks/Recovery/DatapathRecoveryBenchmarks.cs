using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Datapath.Persistence.Proto;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.Persistence.Journal;
using Fabric.Persistence.Sql.Sqlite;

namespace Fabric.Benchmarks.Recovery;

/// <summary>
/// Cold start of the datapath actor from a SQLite file holding <see cref="Flows"/> megaflows — either as that many
/// FlowInstalled journal events, or as one snapshot (what a graceful exit leaves) — until the megaflow table is back
/// in memory (<c>Recovered</c> answered). Includes opening the database and starting the actor system.
/// Target: 100k megaflows in ≤ 1 s.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class DatapathRecoveryBenchmarks
{
    private string _dir = "";
    private string _db = "";

    /// <summary>Megaflows in the journal.</summary>
    [Params(10_000, 100_000)]
    public int Flows { get; set; }

    /// <summary>True: one snapshot; false: one event per megaflow.</summary>
    [Params(false, true)]
    public bool FromSnapshot { get; set; }

    /// <summary>Writes the journal or snapshot once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fabric-bench-recovery-").FullName;
        _db = Path.Combine(_dir, "fabric.db");
        var serializer = new DatapathEventSerializer();
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlType();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardVlanTci();
        wc.UnwildcardNwFrag();
        var mask = wc.ToMask();
        var actions = DatapathActions.Create([DatapathAction.Output(2)]);
        var events = new FlowInstalled[Flows];
        for (var i = 0; i < Flows; i++)
        {
            var key = FlowKey.Create(1, 0x0200_0000_0000UL + (ulong)i, 0x0200_00ff_0000UL, 0x0800);
            events[i] = FlowCodec.ToEvent(key, mask, actions, null);
        }

        if (FromSnapshot)
        {
            var snapshot = new DatapathSnapshot();
            snapshot.Flows.AddRange(events);
            var store = new SqliteSnapshotStore(_db);
            store.SaveAsync(new SnapshotMetadata("datapath", Flows, DateTime.UtcNow), serializer.Manifest(snapshot), serializer.ToBinary(snapshot)).GetAwaiter().GetResult();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return;
        }

        var journal = new SqliteJournal(_db);
        for (var start = 0; start < Flows; start += 1000)
        {
            var batch = new List<AtomicWrite>(1000);
            for (var i = start; i < Math.Min(Flows, start + 1000); i++)
            {
                batch.Add(new AtomicWrite([new PersistentRepr("datapath", i + 1, serializer.Manifest(events[i]), serializer.ToBinary(events[i]), DateTime.UtcNow.Ticks, [], "bench")]));
            }

            journal.WriteMessagesAsync(batch).GetAwaiter().GetResult();
        }

        journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Deletes the database.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>Recovers the table into a fresh datapath; returns the restored flow count.</summary>
    [Benchmark]
    public async Task<int> Recover()
    {
        var journal = new SqliteJournal(_db);
        var snapshots = new SqliteSnapshotStore(_db);
        using var datapath = new Datapath.Forwarding.Datapath(new DatapathOptions(), TimeProvider.System);
        var system = ActorSystem.Create("recovery");
        try
        {
            var serializers = new SerializerRegistry();
            serializers.Add(new DatapathEventSerializer());
            Fabric.Kernel.Persistence.Persistence.Register(system, new PersistenceSetup { Journal = journal, SnapshotStore = snapshots, Serializers = serializers });
            var actor = system.ActorOf(DatapathActor.Props(datapath, new DatapathPersistenceSettings { SnapshotEvery = int.MaxValue }, new LiveTableState()), "datapath");
            var recovered = await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(60));
            if (recovered.RestoredFlows != Flows)
            {
                throw new InvalidOperationException($"recovered {recovered.RestoredFlows} of {Flows} megaflows");
            }

            return recovered.RestoredFlows;
        }
        finally
        {
            await system.Terminate();
            await journal.DisposeAsync();
            await snapshots.DisposeAsync();
        }
    }
}
