using Akka.Actor;
using Fabric.Actors.Bonds;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Datapath.Persistence;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Bonds;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Support;

/// <summary>
/// A bridge "br0" with ordinary in-memory host ports p1..pH (datapath and OpenFlow ports 1..H) and one bond "bond0"
/// (OpenFlow port H+1, bond id 1) of in-memory members m1..mN (datapath ports H+1..H+N), over a real datapath driven
/// one poll pass at a time (<see cref="Dp.RunOnce"/>), with the actors on Akka's TestScheduler and the datapath on a
/// <see cref="ManualClock"/> advanced together (<see cref="Advance"/>). Modelled on <see cref="BridgeScenario"/>:
/// no sleeps and no real time; <see cref="Settle"/> makes a round trip through every actor that can hold a message
/// (shards, bridge, bond, members, datapath actor) so that virtual time never runs ahead of them.
/// </summary>
public sealed class BondScenario : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>The bond port's name.</summary>
    public const string BondName = "bond0";

    /// <summary>The bond id (what <c>lb_output</c> actions name).</summary>
    public const ushort BondId = 1;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private readonly ScenarioStore _store;
    private readonly IActorRef[] _shards;

    /// <summary>Creates the scenario.</summary>
    /// <param name="configure">Changes to the bond's settings (mode, delays, LACP, …); members and bond id are filled in.</param>
    /// <param name="members">Number of bond members (2 or 3).</param>
    /// <param name="hosts">Number of ordinary host ports.</param>
    /// <param name="membersUp">Initial carrier of each member (default: all up).</param>
    /// <param name="macBase">Member m<i>i</i> has MAC <paramref name="macBase"/> + i (distinct per scenario for LACP system ids).</param>
    /// <param name="hostPort">Changes to host port i (1-based) before the bridge starts (VLAN mode, tag).</param>
    /// <param name="shards">Flow-table shards.</param>
    public BondScenario(
        Func<BondSettings, BondSettings>? configure = null,
        int members = 2,
        int hosts = 2,
        IReadOnlyList<bool>? membersUp = null,
        ulong macBase = 0x0a00_0000_0000,
        Func<int, BridgePort, BridgePort>? hostPort = null,
        int shards = 1)
        : this(ScenarioStore.Memory(), configure, members, hosts, membersUp, macBase, hostPort, shards)
    {
    }

    private BondScenario(
        ScenarioStore store,
        Func<BondSettings, BondSettings>? configure,
        int members,
        int hosts,
        IReadOnlyList<bool>? membersUp,
        ulong macBase,
        Func<int, BridgePort, BridgePort>? hostPort,
        int shards)
        : base(BridgeScenario.SystemConfig(store), "bond-scenario")
    {
        _store = store;
        Clock = new ManualClock(Scheduler.Now);
        Datapath = new Dp(new DatapathOptions { EmcInsertInvProb = 1 }, Clock);
        var ports = new List<BridgePort>();
        Hosts = new MemoryPort[hosts];
        for (var i = 0; i < hosts; i++)
        {
            Hosts[i] = new MemoryPort("p" + (i + 1));
            var no = Datapath.AddPort(Hosts[i]);
            var port = new BridgePort { Name = Hosts[i].Name, OfPort = no, DpPort = no, Type = "dummy" };
            ports.Add(hostPort?.Invoke(i + 1, port) ?? port);
        }

        Members = new MemoryPort[members];
        var memberSettings = new List<BondMemberSettings>();
        for (var i = 0; i < members; i++)
        {
            Members[i] = new MemoryPort("m" + (i + 1), macBase + (ulong)(i + 1));
            Members[i].SetCarrier(membersUp is null || membersUp[i]);
            var no = Datapath.AddPort(Members[i]);
            memberSettings.Add(new BondMemberSettings(Members[i].Name, no, Members[i].MacAddress));
        }

        var bond = new BondSettings { BondId = BondId, Members = memberSettings };
        Bond = (configure?.Invoke(bond) ?? bond) with { BondId = BondId, Members = memberSettings };
        BondOfPort = hosts + 1;
        ports.Add(new BridgePort { Name = BondName, OfPort = BondOfPort, DpPort = memberSettings[0].DpPort, Type = "bond", Bond = Bond });
        Settings = new BridgeSettings { Name = "br0", Ports = ports, Shards = shards };

        DatapathActor = Sys.ActorOf(
            Fabric.Actors.Datapath.DatapathActor.SupervisedProps(Datapath, new DatapathPersistenceSettings(), new LiveTableState(), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 0),
            "datapath-supervisor");
        DatapathActor.Ask<DatapathProtocol.Recovered>(new DatapathProtocol.AwaitRecovery(), AskTimeout).Wait();
        Router = new UpcallRouter();
        Bridge = Sys.ActorOf(BridgeActor.Props(Settings, Datapath, DatapathActor, Router), "br0");
        Bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), AskTimeout).Wait();
        _shards = Enumerable.Range(0, shards)
            .Select(i => Sys.ActorSelection($"/user/br0/shard-{i}").ResolveOne(AskTimeout).Result)
            .ToArray();
        BondActor = Sys.ActorSelection($"/user/br0/bond-{BondName}").ResolveOne(AskTimeout).Result;
        BondActor.Ask<BondProtocol.BondStatus>(new BondProtocol.GetBondStatus(BondName), AskTimeout).Wait();
        Settle();
    }

    /// <summary>Akka's virtual scheduler (actor timers).</summary>
    public Akka.TestKit.TestScheduler Scheduler => (Akka.TestKit.TestScheduler)Sys.Scheduler;

    /// <summary>The datapath's clock (megaflow times, the bond's and members' notion of now).</summary>
    public ManualClock Clock { get; }

    /// <summary>The datapath.</summary>
    public Dp Datapath { get; }

    /// <summary>Host ports p1..pH (index 0 = p1).</summary>
    public MemoryPort[] Hosts { get; }

    /// <summary>Bond members m1..mN (index 0 = m1).</summary>
    public MemoryPort[] Members { get; }

    /// <summary>The bond's settings as configured.</summary>
    public BondSettings Bond { get; }

    /// <summary>The bond port's OpenFlow number.</summary>
    public int BondOfPort { get; }

    /// <summary>The bridge's settings.</summary>
    public BridgeSettings Settings { get; }

    /// <summary>The datapath actor's backoff supervisor.</summary>
    public IActorRef DatapathActor { get; }

    /// <summary>The upcall router.</summary>
    public UpcallRouter Router { get; }

    /// <summary>The bridge actor.</summary>
    public IActorRef Bridge { get; }

    /// <summary>The bond actor (<c>/user/br0/bond-bond0</c>).</summary>
    public IActorRef BondActor { get; }

    /// <summary>The datapath's current map of the bond.</summary>
    public BondMap Map => Datapath.Bonds.Get(BondId) ?? throw new InvalidOperationException("bond0 has no map in the datapath");

    /// <summary>Milliseconds of virtual time (the datapath clock, which the bond and members read).</summary>
    public long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The member actor of member <paramref name="index"/> (1-based), resolved now: a restarted bond actor starts new
    /// member actors (new incarnations, new refs) under the same names.
    /// </summary>
    public IActorRef MemberActor(int index) =>
        Sys.ActorSelection($"/user/br0/bond-{BondName}/member-{Members[index - 1].Name}").ResolveOne(AskTimeout).Result;

    /// <summary>The datapath port of member <paramref name="index"/> (1-based).</summary>
    public ushort MemberDp(int index) => Bond.Members[index - 1].DpPort;

    /// <summary>The member (1-based index) that datapath port <paramref name="dp"/> is, or 0 when it is none.</summary>
    public int MemberIndexOf(ushort dp)
    {
        for (var i = 0; i < Bond.Members.Count; i++)
        {
            if (Bond.Members[i].DpPort == dp)
            {
                return i + 1;
            }
        }

        return 0;
    }

    /// <summary>Moves both clocks (datapath and Akka scheduler) forward by <paramref name="delta"/> in one step: every due timer fires at most once.</summary>
    public void Advance(TimeSpan delta)
    {
        Clock.Advance(delta);
        Scheduler.Advance(delta);
    }

    /// <summary>Advances by <paramref name="delta"/> and settles.</summary>
    public void Step(TimeSpan delta)
    {
        Advance(delta);
        Settle();
    }

    /// <summary>Advances by <paramref name="delta"/> in steps of <paramref name="step"/>, settling after each (periodic timers fire once per step).</summary>
    public void Run(TimeSpan delta, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < delta; t += step)
        {
            Step(t + step <= delta ? step : delta - t);
        }
    }

    /// <summary>Advances in 20 ms steps (the carrier poll period) until the poll timers have fired once more.</summary>
    public void NextPoll() => Step(BondSettings.CarrierPollInterval);

    /// <summary>
    /// Makes three round trips through shards → bridge → bond → members → bond → datapath actor, so that every
    /// message the actors sent each other because of earlier timers, upcalls or commands has been handled.
    /// </summary>
    public void Settle()
    {
        for (var round = 0; round < 3; round++)
        {
            foreach (var shard in _shards)
            {
                shard.Ask<Fabric.Actors.Shards.ShardProtocol.ShardCounters>(new Fabric.Actors.Shards.ShardProtocol.GetCounters(), AskTimeout).Wait();
            }

            Bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), AskTimeout).Wait();
            Status(); // after a restart of the bond actor, this also waits until its new member actors exist
            foreach (var m in Members)
            {
                Sys.ActorSelection($"/user/br0/bond-{BondName}/member-{m.Name}")
                    .Ask<MemberProtocol.MemberStatus>(MemberProtocol.GetStatus.Instance, AskTimeout).Wait();
            }

            Status();
            DatapathActor.Ask<DatapathProtocol.DatapathCounters>(new DatapathProtocol.GetCounters(), AskTimeout).Wait();
        }
    }

    /// <summary>The bond's <c>bond/show</c> state (asked from the bond actor).</summary>
    public BondProtocol.BondStatus Status() =>
        BondActor.Ask<BondProtocol.BondStatus>(new BondProtocol.GetBondStatus(BondName), AskTimeout).Result;

    /// <summary>The member view of member <paramref name="index"/> (1-based) in <see cref="Status"/>.</summary>
    public BondProtocol.MemberView MemberView(int index) => Status().Members.Single(m => m.Name == "m" + index);

    /// <summary>Sends a bond command through the bridge and returns its result.</summary>
    public BondProtocol.CommandResult Command(object command) =>
        Bridge.Ask<BondProtocol.CommandResult>(command, AskTimeout).Result;

    /// <summary>The <c>lacp/show</c> text of the bond.</summary>
    public string LacpShow() => BondActor.Ask<BondProtocol.LacpText>(new BondProtocol.GetLacp(BondName, false), AskTimeout).Result.Text ?? "";

    /// <summary>Runs poll passes until every injected frame has been received and routes the upcalls; returns the number of upcalls.</summary>
    public int Poll()
    {
        var routed = 0;
        do
        {
            Datapath.RunOnce();
            while (Datapath.Upcalls.TryDequeue(out var upcall))
            {
                Router.Route(upcall);
                routed++;
            }
        }
        while (Hosts.Any(p => p.PendingReceive > 0) || Members.Any(p => p.PendingReceive > 0));

        return routed;
    }

    /// <summary>
    /// Injects <paramref name="frames"/> on <paramref name="port"/>, polls, settles (installs, learning, bond reactions)
    /// and runs one more pass so packet-outs (missed packets, learning packets) are sent. Returns the upcalls made.
    /// </summary>
    public int Send(MemoryPort port, params byte[][] frames)
    {
        foreach (var f in frames)
        {
            port.Inject(f);
        }

        var upcalls = Poll();
        Settle();
        Flush();
        return upcalls;
    }

    /// <summary>Runs poll passes until no packet-out is pending (sends what the slow path queued).</summary>
    public void Flush()
    {
        do
        {
            Datapath.RunOnce();
        }
        while (Datapath.PendingPacketOuts > 0);
    }

    /// <summary>Takes every frame sent on <paramref name="port"/> so far.</summary>
    public static List<byte[]> TakeSent(MemoryPort port)
    {
        var frames = new List<byte[]>();
        while (port.TryTakeSent(out var f))
        {
            frames.Add(f);
        }

        return frames;
    }

    /// <summary>Discards every frame sent on every port so far.</summary>
    public void ClearSent()
    {
        foreach (var p in Hosts.Concat(Members))
        {
            TakeSent(p);
        }
    }

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
