using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Kernel.Actor;
using Fabric.Kernel.Pattern;
using Fabric.Kernel.Persistence;
using Fabric.Kernel.TestKit;
using Fabric.Kernel.TestKit.Persistence;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Support;

/// <summary>
/// A bridge "br0" with three in-memory ports over a real datapath that is driven one poll pass at a time
/// (<see cref="Dp.RunOnce"/>), with the actors on a virtual clock and the datapath actor journaling into an
/// in-memory journal with fault injection, under the same backoff supervisor as in a node: deterministic
/// actor scenarios.
/// </summary>
public sealed class BridgeScenario : TestKit
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public BridgeScenario(int shards = 2)
        : this(new VirtualTimeProvider(Epoch), shards)
    {
    }

    private BridgeScenario(VirtualTimeProvider clock, int shards)
        : base("scenario", clock)
    {
        Clock = clock;
        Datapath = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, clock);
        Ports = [new MemoryPort("p1"), new MemoryPort("p2"), new MemoryPort("p3")];
        var bridgePorts = new List<BridgePort>();
        foreach (var p in Ports)
        {
            var no = Datapath.AddPort(p);
            bridgePorts.Add(new BridgePort { Name = p.Name, OfPort = no, DpPort = no, Type = "dummy" });
        }

        Settings = new BridgeSettings { Name = "br0", Ports = bridgePorts, Shards = shards };
        var serializers = new SerializerRegistry();
        serializers.Add(new DatapathEventSerializer());
        Journal = new InMemoryJournal(serializers);
        SnapshotStore = new InMemorySnapshotStore();
        Fabric.Kernel.Persistence.Persistence.Register(Sys, new PersistenceSetup { Journal = Journal, SnapshotStore = SnapshotStore, Serializers = serializers });
        DatapathProps = Fabric.Actors.Datapath.DatapathActor.Props(Datapath, new DatapathPersistenceSettings(), new LiveTableState());
        var backoff = Backoff.OnStop(DatapathProps, "datapath", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 0)
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume));
        DatapathActor = Sys.ActorOf(BackoffSupervisor.Props(backoff), "datapath-supervisor");
        DatapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), TimeSpan.FromSeconds(5)).Wait();
        Router = new UpcallRouter();
        Bridge = Sys.ActorOf(BridgeActor.Props(Settings, Datapath, DatapathActor, Router), "br0");
        Bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5)).Wait();
    }

    public VirtualTimeProvider Clock { get; }

    public Dp Datapath { get; }

    public MemoryPort[] Ports { get; }

    public BridgeSettings Settings { get; }

    /// <summary>The datapath actor's backoff supervisor (messages are forwarded to the datapath actor).</summary>
    public IActorRef DatapathActor { get; }

    public Props DatapathProps { get; }

    public InMemoryJournal Journal { get; }

    public InMemorySnapshotStore SnapshotStore { get; }

    public UpcallRouter Router { get; }

    public IActorRef Bridge { get; }

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
}
