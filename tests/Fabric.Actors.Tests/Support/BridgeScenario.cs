using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Akka.TestKit;
using Akka.TestKit.Configs;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Support;

/// <summary>
/// A bridge "br0" with three in-memory ports over a real datapath that is driven one poll pass at a time
/// (<see cref="Dp.RunOnce"/>), with the actors on Akka's TestScheduler and the datapath on a
/// <see cref="ManualClock"/> (advanced together by <see cref="Advance"/>), and the datapath actor under the same
/// backoff supervisor as in a node, journaling into the chosen <see cref="ScenarioStore"/>: deterministic actor
/// scenarios on Akka.TestKit.
/// </summary>
public sealed class BridgeScenario : Akka.TestKit.Xunit2.TestKit
{
    private readonly ScenarioStore _store;

    /// <summary>Creates the scenario with <paramref name="shards"/> flow-table shards, journaling into <paramref name="store"/> (in-memory by default).</summary>
    public BridgeScenario(int shards = 2, ScenarioStore? store = null, DatapathPersistenceSettings? persistence = null)
        : this(store ?? ScenarioStore.Memory(), shards, persistence ?? new DatapathPersistenceSettings())
    {
    }

    private BridgeScenario(ScenarioStore store, int shards, DatapathPersistenceSettings persistence)
        : base(SystemConfig(store), "scenario")
    {
        _store = store;
        Persistence = persistence;
        Clock = new ManualClock(Scheduler.Now);
        Datapath = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, Clock);
        Ports = [new MemoryPort("p1"), new MemoryPort("p2"), new MemoryPort("p3")];
        var bridgePorts = new List<BridgePort>();
        foreach (var p in Ports)
        {
            var no = Datapath.AddPort(p);
            bridgePorts.Add(new BridgePort { Name = p.Name, OfPort = no, DpPort = no, Type = "dummy" });
        }

        Settings = new BridgeSettings { Name = "br0", Ports = bridgePorts, Shards = shards };
        Live = new LiveTableState();
        DatapathActor = Sys.ActorOf(
            Fabric.Actors.Datapath.DatapathActor.SupervisedProps(Datapath, persistence, Live, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 0),
            "datapath-supervisor");
        DatapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(10)).Wait();
        Router = new UpcallRouter();
        Bridge = Sys.ActorOf(BridgeActor.Props(Settings, Datapath, DatapathActor, Router), "br0");
        Bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5)).Wait();
    }

    /// <summary>Akka's virtual scheduler (actor timers, backoff delays).</summary>
    public TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>The datapath's clock (megaflow use and creation times).</summary>
    public ManualClock Clock { get; }

    /// <summary>The datapath, with the memory ports p1, p2, p3 as datapath (and OpenFlow) ports 1, 2, 3.</summary>
    public Dp Datapath { get; }

    /// <summary>The memory ports.</summary>
    public MemoryPort[] Ports { get; }

    /// <summary>The bridge's settings.</summary>
    public BridgeSettings Settings { get; }

    /// <summary>The datapath actor's persistence settings.</summary>
    public DatapathPersistenceSettings Persistence { get; }

    /// <summary>State shared by the datapath actor's incarnations.</summary>
    public LiveTableState Live { get; }

    /// <summary>The datapath actor's backoff supervisor (messages are forwarded to the datapath actor).</summary>
    public IActorRef DatapathActor { get; }

    /// <summary>The upcall router the bridge published its shards to.</summary>
    public UpcallRouter Router { get; }

    /// <summary>The bridge actor.</summary>
    public IActorRef Bridge { get; }

    /// <summary>The journal's fault-injection handle (in-memory store only).</summary>
    public ITestJournal Journal => TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null));

    /// <summary>The snapshot store's fault-injection handle (in-memory store only).</summary>
    public ITestSnapshotStore Snapshots => TestSnapshotStore.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null));

    /// <summary>The actor system configuration: TestScheduler, the datapath serializer, strict serialization and the store.</summary>
    public static Config SystemConfig(ScenarioStore store) =>
        ConfigurationFactory.ParseString(
            "akka.actor.serialization-settings.allow-unregistered-types = false\nakka.loglevel = INFO\n" +
            "akka.test { single-expect-default = 10s, default-timeout = 10s }")
            .WithFallback(DatapathEventSerializer.Config)
            .WithFallback(store.Config)
            .WithFallback(TestConfigs.TestSchedulerConfig);

    /// <summary>Moves both clocks (the datapath's and Akka's scheduler) forward by <paramref name="delta"/>, in one step.</summary>
    public void Advance(TimeSpan delta)
    {
        Clock.Advance(delta);
        Scheduler.Advance(delta);
    }

    /// <summary>
    /// Moves both clocks forward by <paramref name="delta"/> and waits until the bridge and its shards have handled
    /// the timer messages that fell due (and the bridge what the shards sent it meanwhile): virtual time never runs
    /// ahead of the actors.
    /// </summary>
    public async Task StepAsync(TimeSpan delta)
    {
        Advance(delta);
        for (var i = 0; i < Settings.Shards; i++)
        {
            var shard = await Sys.ActorSelection($"/user/br0/shard-{i}").ResolveOne(TimeSpan.FromSeconds(5));
            await shard.Ask<Fabric.Actors.Shards.ShardProtocol.ShardCounters>(new Fabric.Actors.Shards.ShardProtocol.GetCounters(), TimeSpan.FromSeconds(5));
        }

        await Bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Runs <paramref name="whileHeld"/> while the datapath actor waits for the journal (a port-numbering event is
    /// persisted with Persist, which stashes every later command until it is written, and the write waits at a gate),
    /// then lets it go on: every message sent to it meanwhile is then handled in one go. In-memory store only.
    /// </summary>
    public async Task HoldDatapathActorAsync(Func<Task> whileHeld)
    {
        var gate = new JournalGate();
        await Journal.OnWrite.SetInterceptorAsync(gate);
        DatapathActor.Tell(new DatapathProtocol.AddPort(new MemoryPort("held"), 0));
        await gate.Entered;
        await whileHeld();
        await Journal.OnWrite.Pass();
        gate.Open();
    }

    /// <summary>Moves both clocks forward by <paramref name="delta"/> in <paramref name="step"/>s (a periodic timer fires once per step).</summary>
    public void AdvanceInSteps(TimeSpan delta, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < delta; t += step)
        {
            Advance(step);
        }
    }

    /// <summary>Injects <paramref name="frame"/> on port <paramref name="port"/> (1-based), runs a poll pass and routes the upcalls.</summary>
    public int Receive(int port, byte[] frame)
    {
        Ports[port - 1].Inject(frame);
        Datapath.RunOnce();
        var routed = 0;
        while (Datapath.Upcalls.TryDequeue(out var upcall))
        {
            Router.Route(upcall);
            routed++;
        }

        return routed;
    }

    /// <summary>
    /// Waits until the slow path has installed <paramref name="flows"/> megaflows and queued
    /// <paramref name="packetOuts"/> packet-outs, then runs a poll pass to send them.
    /// </summary>
    public void Settle(int flows, int packetOuts)
    {
        AwaitAssert(() => Assert.Equal(flows, Datapath.Flows.Count));
        AwaitAssert(() => Assert.Equal(packetOuts, Datapath.PendingPacketOuts));
        Datapath.RunOnce();
    }

    /// <summary>Takes every frame sent on port <paramref name="port"/> (1-based).</summary>
    public int TakeSent(int port)
    {
        var n = 0;
        while (Ports[port - 1].TryTakeSent(out _))
        {
            n++;
        }

        return n;
    }

    /// <summary>Every event journaled for <paramref name="persistenceId"/>, in order, read back through the journal's replay protocol.</summary>
    public IReadOnlyList<object> EventsOf(string persistenceId = "datapath")
    {
        var probe = CreateTestProbe();
        Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null)
            .Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, persistenceId, probe.Ref), probe.Ref);
        var events = new List<object>();
        while (true)
        {
            var m = probe.ReceiveOne(TimeSpan.FromSeconds(10));
            switch (m)
            {
                case ReplayedMessage r:
                    events.Add(r.Persistent.Payload);
                    break;
                case RecoverySuccess:
                    return events;
                case ReplayMessagesFailure f:
                    throw new InvalidOperationException("replay failed", f.Cause);
                default:
                    throw new InvalidOperationException($"unexpected reply to a replay: {m}");
            }
        }
    }

    /// <summary>The latest snapshot of <paramref name="persistenceId"/>, or null.</summary>
    public SelectedSnapshot? LatestSnapshot(string persistenceId = "datapath")
    {
        var probe = CreateTestProbe();
        Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null)
            .Tell(new LoadSnapshot(persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), probe.Ref);
        return probe.ExpectMsg<LoadSnapshotResult>(TimeSpan.FromSeconds(10)).Snapshot;
    }

    /// <summary>Starts a datapath actor of a "second process": a fresh datapath over the same journal; returns it and what it recovered.</summary>
    public (IActorRef Actor, Dp Datapath, DatapathProtocol.Recovered Recovered) StartSecondProcess(string name = "datapath2")
    {
        var dp2 = new Dp(new DatapathOptions(), Clock);
        var actor = Sys.ActorOf(Fabric.Actors.Datapath.DatapathActor.Props(dp2, Persistence, new LiveTableState()), name);
        var recovered = actor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(10)).Result;
        return (actor, dp2, recovered);
    }

    /// <summary>Stops <paramref name="actor"/> and waits until it has stopped.</summary>
    public void StopActor(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, TimeSpan.FromSeconds(10));
    }

    /// <summary>Stops the first process's datapath actor (and its supervisor) and waits until it has stopped.</summary>
    public void StopDatapathActor() => StopActor(DatapathActor);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Datapath.Dispose();
            _store.Dispose();
        }
    }
}
