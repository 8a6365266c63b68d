using Akka.Actor;
using Fabric.Actors.Bridge;
using Fabric.Actors.Tests.Support;

namespace Fabric.Actors.Tests.Upcalls;

/// <summary>
/// Misses translated on the poll thread that took them (the router attached to the datapath's upcall queue, as in a
/// node): the packet leaves in the poll pass that missed, and the actors only learn and install.
/// </summary>
public sealed class PollThreadUpcallScenarioTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;

    [Fact]
    public void A_first_packet_leaves_in_the_pass_that_missed_and_the_shard_installs_its_megaflow_without_sending_it_again()
    {
        using var s = new BridgeScenario();
        s.Datapath.Upcalls.Attach(s.Router);
        s.Ports[0].Inject(Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Datapath.RunOnce();
        Assert.Equal((0, 1, 1), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));

        // The install reached the datapath actor, which would have queued the packet-out in the same step: none.
        s.AwaitAssert(() => Assert.Equal(1, s.Datapath.Flows.Count));
        Assert.Equal(0, s.Datapath.PendingPacketOuts);
        s.AwaitAssert(() => Assert.Contains(
            s.Bridge.Ask<BridgeProtocol.Fdb>(new BridgeProtocol.GetFdb(), TimeSpan.FromSeconds(5)).Result.Entries,
            e => e.Mac == H1 && e.OfPort == 1));
        s.Datapath.RunOnce();
        Assert.Equal((0, 0, 0), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));

        // The next packet of the flow hits the megaflow.
        s.Ports[0].Inject(Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Datapath.RunOnce();
        Assert.Equal((0, 1, 1), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));
        Assert.Equal(1, s.Datapath.Stats.Missed);
    }

    [Fact]
    public void A_reply_in_the_same_pass_as_its_request_goes_only_to_the_requester()
    {
        using var s = new BridgeScenario();
        s.Datapath.Upcalls.Attach(s.Router);
        s.Ports[0].Inject(Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Ports[1].Inject(Frames.Udp(H2, H1, 0x0a000002, 0x0a000001, 53, 1000));
        s.Datapath.RunOnce();

        // The request is flooded, the reply (its source learned or about to be) is not: port 3 sees the request only.
        Assert.Equal((1, 1, 1), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));

        // The reply's install is the last the bridge passes on (after learning H2, which deletes the request's flooding
        // megaflow): once it is in, every install has been handled, and none sent its packet again.
        s.AwaitAssert(() => Assert.Contains(s.Datapath.Flows.Snapshot(), f => f.Key.InPort == 2));
        Assert.Equal(0, s.Datapath.PendingPacketOuts);
    }

    [Fact]
    public void Misses_queued_while_no_router_was_attached_are_translated_and_sent_by_the_shard()
    {
        using var s = new BridgeScenario();
        s.Ports[0].Inject(Frames.Udp(H1, H2, 0x0a000001, 0x0a000002, 1000, 53));
        s.Datapath.RunOnce();
        Assert.Equal((0, 0, 0), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));
        Assert.True(s.Datapath.Upcalls.TryDequeue(out var upcall));
        Assert.True(s.Router.Route(upcall));
        s.Settle(flows: 1, packetOuts: 1);
        Assert.Equal((0, 1, 1), (s.TakeSent(1), s.TakeSent(2), s.TakeSent(3)));
    }
}
