using Fabric.Actors.Bridge;
using Fabric.Actors.Normal;
using Fabric.Actors.Upcalls;
using Fabric.Datapath.Flows;
using Fabric.Datapath.Forwarding;

namespace Fabric.Actors.Tests.Upcalls;

/// <summary>
/// NORMAL on the poll thread against a published MAC table that no bridge updates here: what the poll thread itself sent
/// to be learned is what makes a reply unicast, for the entry's lifetime and as long as the table does not say otherwise.
/// </summary>
public sealed class PollThreadTranslatorTests
{
    private const ulong H1 = 0x0200_0000_0001;
    private const ulong H2 = 0x0200_0000_0002;

    private static readonly BridgeSettings Settings = new()
    {
        Name = "br0",
        Ports =
        [
            new BridgePort { Name = "p1", OfPort = 1, DpPort = 1 },
            new BridgePort { Name = "p2", OfPort = 2, DpPort = 2 },
            new BridgePort { Name = "p3", OfPort = 3, DpPort = 3 },
        ],
    };

    private readonly MacLearningTable _macs = new();
    private readonly PublishedMacTable _published;
    private readonly PollThreadTranslator _translator;

    public PollThreadTranslatorTests()
    {
        _published = new PublishedMacTable(_macs.View);
        _translator = new PollThreadTranslator(new NormalTranslator(Settings), _published);
    }

    [Fact]
    public void A_reply_to_a_source_sent_to_be_learned_goes_to_its_port_before_the_bridge_publishes_it()
    {
        var request = Translate(1, H1, H2, nowMs: 1000);
        Assert.Equal("2,3", request.Xlate!.Actions.ToString());
        Assert.True(request.Executed);
        Assert.Equal(1, request.Xlate.LearnOfPort);
        _translator.Posted(request);

        // The published table still lacks H1: only the poll thread's own entry sends the reply to port 1.
        var reply = Translate(2, H2, H1, nowMs: 1001);
        Assert.Equal("1", reply.Xlate!.Actions.ToString());
        Assert.Equal("forwarding to learned port", reply.Xlate.Reason);

        // The source is still the bridge's to learn: the reply's own source is asked for, as without the entry, and so
        // is the request's source again on its next miss (the bridge's table decides, not the poll thread's memory).
        Assert.Equal(2, reply.Xlate.LearnOfPort);
        Assert.Equal(1, Translate(1, H1, H2, nowMs: 1002).Xlate!.LearnOfPort);
    }

    [Fact]
    public void An_upcall_that_did_not_reach_its_shard_lays_nothing_over_the_table()
    {
        // Translated but never posted (the inbox was full): the bridge will not learn it, so neither may the poll thread.
        Translate(1, H1, H2, nowMs: 1000);
        Assert.Equal("1,3", Translate(2, H2, H1, nowMs: 1001).Xlate!.Actions.ToString());
    }

    [Fact]
    public void The_entry_lasts_its_lifetime_then_the_published_table_decides_again()
    {
        _translator.Posted(Translate(1, H1, H2, nowMs: 1000));
        Assert.Equal("1", Translate(2, H2, H1, nowMs: 1000 + ProvisionalMacs.LifetimeMs).Xlate!.Actions.ToString());
        Assert.Equal("1,3", Translate(2, H2, H1, nowMs: 1001 + ProvisionalMacs.LifetimeMs).Xlate!.Actions.ToString());
    }

    [Fact]
    public void The_published_table_wins_once_the_bridge_has_learned_the_address_elsewhere()
    {
        _translator.Posted(Translate(1, H1, H2, nowMs: 1000));

        // The bridge saw H1 move to port 3.
        _macs.Learn(0, H1, 3, 1001);
        _published.Publish(_macs.View);
        Assert.Equal("3", Translate(2, H2, H1, nowMs: 1002).Xlate!.Actions.ToString());
    }

    [Fact]
    public void A_source_that_moved_is_left_to_the_shard_which_learns_the_move_before_the_packet_leaves()
    {
        _macs.Learn(0, H1, 3, 1000);
        _published.Publish(_macs.View);
        var key = FlowKey.Create(1, H1, H2, 0x0800);
        Assert.Null(_translator.Translate(new Upcall(1, key, new byte[64], 1001)));

        // Known where it is: translated here.
        Assert.NotNull(_translator.Translate(new Upcall(3, FlowKey.Create(3, H1, H2, 0x0800), new byte[64], 1001)));
    }

    private ShardUpcall Translate(ushort inPort, ulong src, ulong dst, long nowMs)
    {
        var key = FlowKey.Create(inPort, src, dst, 0x0800);
        return _translator.Translate(new Upcall(inPort, key, new byte[64], nowMs)) ?? throw new InvalidOperationException("left to the shard");
    }
}
