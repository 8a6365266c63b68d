using Akka.Actor;
using Akka.TestKit.Configs;
using Fabric.Actors.Bridge;
using Fabric.Actors.Datapath;
using Fabric.Actors.Tests.Support;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Actions;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;
using Fabric.Datapath.Ports;
using static Fabric.Actors.Datapath.DatapathProtocol;
using Dp = Fabric.Datapath.Forwarding.Datapath;

namespace Fabric.Actors.Tests.Bridge;

/// <summary>
/// The bridge actor alone, a test probe in the datapath actor's place: one shard drain's learnings
/// (<see cref="BridgeProtocol.LearnMacs"/>) become one table version, one invalidation and one install message.
/// </summary>
public sealed class BridgeLearningBatchTests : Akka.TestKit.Xunit2.TestKit
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;

    public BridgeLearningBatchTests()
        : base(TestConfigs.TestSchedulerConfig)
    {
    }

    [Fact]
    public async Task One_drain_of_learnings_is_one_invalidation_then_one_install_message_from_the_shard()
    {
        using var dp = new Dp(new DatapathOptions(), new ManualClock(DateTimeOffset.UnixEpoch.AddDays(1)));
        var ports = new List<BridgePort>();
        foreach (var name in new[] { "p1", "p2", "p3" })
        {
            var no = dp.AddPort(new MemoryPort(name));
            ports.Add(new BridgePort { Name = name, OfPort = no, DpPort = no, Type = "dummy" });
        }

        var datapathActor = CreateTestProbe();
        var router = new UpcallRouter();
        var bridge = Sys.ActorOf(BridgeActor.Props(new BridgeSettings { Name = "br0", Ports = ports }, dp, datapathActor.Ref, router));
        await bridge.Ask<BridgeSettings>(new BridgeProtocol.GetSettings(), TimeSpan.FromSeconds(5));
        var shard = CreateTestProbe();

        // Two new sources, one of them seen twice in the drain (its second learning changes nothing).
        InstallFlow Install(ulong src, ushort inPort) =>
            new(FlowKey.Create(inPort, src, 0xffff_ffff_ffff, 0x0806), FlowMask.Exact, DatapathActions.OutputTo(3), null, inPort, ReadOnlyMemory<byte>.Empty);
        var installs = new[] { Install(H1, 1), Install(H2, 2), Install(H1, 1) };
        bridge.Tell(new BridgeProtocol.LearnMacs([
            new BridgeProtocol.LearnMac(0, H1, 1, installs[0]),
            new BridgeProtocol.LearnMac(0, H2, 2, installs[1]),
            new BridgeProtocol.LearnMac(0, H1, 1, installs[2]),
        ]), shard.Ref);

        var invalidate = datapathActor.FishForMessage<InvalidateMacs>(_ => true);
        Assert.Equal([(0, H1, false), (0, H2, false)], invalidate.Changes.Select(c => (c.Vlan, c.Mac, c.Source)).ToArray());
        var batch = datapathActor.ExpectMsg<InstallFlows>();
        Assert.Equal(installs, batch.Installs);
        Assert.Same(shard.Ref, datapathActor.LastSender);

        // Both sources are learned, and the bridge sent nothing else for them: its messages to the probe were queued
        // before it answered this request.
        var fdb = await bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5));
        Assert.Equal([(H1, 1), (H2, 2)], fdb.Entries.Select(e => (e.Mac, e.OfPort)).OrderBy(e => e.Mac).ToArray());
        Assert.False(datapathActor.HasMessages);
    }
}
