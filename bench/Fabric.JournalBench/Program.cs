using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Shards;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using DatapathEngine = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.JournalBench;

/// <summary>
/// Whole-system figures of the datapath actor's journal on Akka.Persistence.Sql (run from a ReadyToRun publish by
/// bench/scripts/journal-bench.sh):
/// <list type="bullet">
/// <item><c>install STORE TARGET FLOWS RATE</c>: offers FLOWS megaflow installs at RATE per second (0 = as fast as
/// possible) and reports how many per second the actor journaled and how far the journal lagged the live table
/// (the longest time from a change to the journal's confirmation).</item>
/// <item><c>recover STORE TARGET FLOWS events|snapshot</c>: writes FLOWS megaflows (then a snapshot, or not), and
/// reports how long a new actor system and datapath actor take to put them back into an empty table.</item>
/// </list>
/// STORE is <c>sqlite</c> (TARGET = a file path), <c>postgresql</c> (TARGET = an Npgsql connection string) or
/// <c>memory</c> (Akka's in-memory journal, TARGET ignored: the actor's own cost without a database).
/// </summary>
public static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Entry point; returns 0, or 2 on bad arguments.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 5 || args[0] is not ("install" or "recover") || args[1] is not ("sqlite" or "postgresql" or "memory")
            || !int.TryParse(args[3], out var flows) || flows < 1)
        {
            Console.Error.WriteLine("usage: Fabric.JournalBench install|recover sqlite|postgresql|memory PATH|CONNECTION-STRING|- FLOWS RATE|events|snapshot");
            return 2;
        }

        var store = args[1] switch
        {
            "sqlite" => JournalStore.Sqlite(args[2]),
            "postgresql" => JournalStore.PostgreSql(args[2]),
            _ => ConfigurationFactory.ParseString("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"\nakka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.local\""),
        };
        if (args[1] == "sqlite")
        {
            JournalStore.PrepareSqlite(args[2]);
        }

        if (args[0] == "install")
        {
            await InstallAsync(store, flows, int.Parse(args[4], Inv));
        }
        else
        {
            await RecoverAsync(store, flows, args[4] == "snapshot");
        }

        return 0;
    }

    private static Config SystemConfig(Config store) =>
        ConfigurationFactory.ParseString("akka { loglevel = WARNING, stdout-loglevel = WARNING, actor.serialization-settings.allow-unregistered-types = false }")
            .WithFallback(DatapathEventSerializer.Config)
            .WithFallback(store);

    private static DatapathPersistenceSettings Persistence() =>
        new() { SnapshotEvery = int.MaxValue, SnapshotInterval = TimeSpan.Zero, PersistenceId = "bench" };

    private static async Task InstallAsync(Config store, int flows, int rate)
    {
        var system = ActorSystem.Create("bench", SystemConfig(store));
        using var datapath = new DatapathEngine(new DatapathOptions { FlowLimit = flows + 2_000 }, TimeProvider.System);
        var actor = system.ActorOf(DatapathActor.Props(datapath, Persistence(), new LiveTableState()), "datapath");
        await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(60));

        // Warm-up: the first writes pay for linq2db's query compilation.
        for (var i = 0; i < 1000; i++)
        {
            actor.Tell(Install(flows + 1_000_000 + i));
        }

        await WaitJournaledAsync(actor, 1000, TimeSpan.FromSeconds(60));
        var before = await StatusAsync(actor);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < flows; i++)
        {
            actor.Tell(Install(i));
            if (rate > 0 && i % 1000 == 999)
            {
                // Pace the offered load in chunks of 1000: sleep (not spin, the machine has two cores) until the
                // schedule catches up with the installs sent.
                var ahead = TimeSpan.FromSeconds((double)(i + 1) / rate) - clock.Elapsed;
                if (ahead > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(ahead);
                }
            }
        }

        var offered = clock.Elapsed;
        while (datapath.Flows.Count < flows + 1000)
        {
            await Task.Delay(1);
        }

        var applied = clock.Elapsed;
        var after = await WaitJournaledAsync(actor, before.Journal.Changes + flows, TimeSpan.FromMinutes(5));
        var total = clock.Elapsed;
        var events = after.Journal.Events - before.Journal.Events;
        Console.WriteLine(string.Create(Inv, $"install: {flows} flows offered in {offered.TotalSeconds:F2} s ({flows / offered.TotalSeconds:F0}/s), in the live table after {applied.TotalSeconds:F2} s, journaled in {total.TotalSeconds:F2} s => {flows / total.TotalSeconds:F0} flows/s; {events} events ({(double)flows / events:F0} flows/event); journal lag: max {after.Journal.MaxWriteMs:F0} ms, avg {after.Journal.AverageWriteMs:F0} ms"));
        await system.Terminate();
    }

    private static async Task RecoverAsync(Config store, int flows, bool snapshot)
    {
        var system = ActorSystem.Create("bench", SystemConfig(store));
        using (var datapath = new DatapathEngine(new DatapathOptions { FlowLimit = flows + 2_000 }, TimeProvider.System))
        {
            var actor = system.ActorOf(DatapathActor.Props(datapath, Persistence(), new LiveTableState()), "datapath");
            await actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(60));
            for (var i = 0; i < flows; i++)
            {
                actor.Tell(Install(i));
            }

            await WaitJournaledAsync(actor, flows, TimeSpan.FromMinutes(5));
            if (snapshot)
            {
                var cp = await actor.Ask<DatapathProtocol.Checkpointed>(new DatapathProtocol.Checkpoint(), TimeSpan.FromMinutes(2));
                if (cp.Error is not null)
                {
                    throw new InvalidOperationException(cp.Error);
                }

                // The compaction behind the snapshot runs after it; let it finish before measuring.
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        await system.Terminate();

        var clock = Stopwatch.StartNew();
        var system2 = ActorSystem.Create("bench", SystemConfig(store));
        var systemUp = clock.Elapsed;
        using var fresh = new DatapathEngine(new DatapathOptions { FlowLimit = flows + 2_000 }, TimeProvider.System);
        var actor2 = system2.ActorOf(DatapathActor.Props(fresh, Persistence(), new LiveTableState()), "datapath");
        var recovered = await actor2.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromMinutes(5));
        var total = clock.Elapsed;
        if (recovered.RestoredFlows != flows || fresh.Flows.Count != flows)
        {
            throw new InvalidOperationException($"recovered {recovered.RestoredFlows} flows, expected {flows}");
        }

        Console.WriteLine(string.Create(Inv, $"recover: {flows} flows from {(snapshot ? "a snapshot" : "events")}: {total.TotalMilliseconds:F0} ms (actor system {systemUp.TotalMilliseconds:F0} ms, actor start to recovered {recovered.Duration.TotalMilliseconds:F0} ms)"));
        await system2.Terminate();
    }

    private static DatapathProtocol.InstallFlow Install(int i)
    {
        var key = FlowKey.Create((ushort)(1 + (i % 4)), 0x0200_0000_0000UL + (ulong)i, 0x0200_1000_0000UL + (ulong)(i % 977), 0x0800);
        var wc = default(FlowWildcards);
        wc.UnwildcardInPort();
        wc.UnwildcardDlSrc();
        wc.UnwildcardDlDst();
        wc.UnwildcardDlType();
        wc.UnwildcardVlanTci();
        wc.UnwildcardNwFrag();
        var owner = new MegaflowOwner("br0", 0, 1, 1);
        return new DatapathProtocol.InstallFlow(key, wc.ToMask(), DatapathActions.Create([DatapathAction.Output((ushort)(1 + ((i + 1) % 4)))]), owner, key.InPort, ReadOnlyMemory<byte>.Empty);
    }

    private static Task<DatapathProtocol.PersistenceStatus> StatusAsync(IActorRef actor) =>
        actor.Ask<DatapathProtocol.PersistenceStatus>(new DatapathProtocol.GetPersistenceStatus(), TimeSpan.FromSeconds(30));

    private static async Task<DatapathProtocol.PersistenceStatus> WaitJournaledAsync(IActorRef actor, long changes, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var st = await StatusAsync(actor);
            if (st.Journal.Changes >= changes && st.Journal.Pending == 0)
            {
                return st;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"journal confirmed {st.Journal.Changes} of {changes} changes in {timeout}");
            }

            await Task.Delay(5);
        }
    }
}
