using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Fabric.Kernel.Actor;
using Fabric.Kernel.TestKit;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Support;

/// <summary>
/// A bridge "br0" with three in-memory ports over a real datapath that is driven one poll pass at a time
/// (<see cref="Dp.RunOnce"/>), with the actors on a virtual clock: deterministic actor scenarios.
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
        DatapathActor = Sys.ActorOf(Fabric.Actors.Datapath.DatapathActor.Props(Datapath), "datapath");
        Router = new UpcallRouter();
        Bridge = Sys.ActorOf(BridgeActor.Props(Settings, Datapath, DatapathActor, Router), "br0");
        Bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5)).Wait();
    }

    public VirtualTimeProvider Clock { get; }

    public Dp Datapath { get; }

    public MemoryPort[] Ports { get; }

    public BridgeSettings Settings { get; }

    public IActorRef DatapathActor { get; }

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
