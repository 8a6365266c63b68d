using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Xunit;

namespace Fabric.Kernel.Tests.Dispatch;

public sealed class MailboxTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    private sealed class Collector : ReceiveActor
    {
        private readonly List<(int Sender, int Seq)> _seen = [];

        public Collector()
        {
            Receive<(int, int)>(m => _seen.Add(m));
            Receive<string>(_ => Sender.Tell(_seen.ToArray()));
        }
    }

    [Fact]
    public async Task Messages_from_one_sender_arrive_in_order_while_senders_interleave()
    {
        var collector = ActorOf(Props.Create<Collector>());
        const int senders = 4;
        const int perSender = 500;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++)
            {
                collector.Tell((s, i), ActorRefs.NoSender);
            }
        })));
        collector.Tell("report");
        var seen = ExpectMsg<(int Sender, int Seq)[]>();
        Assert.Equal(senders * perSender, seen.Length);
        for (var s = 0; s < senders; s++)
        {
            Assert.Equal(Enumerable.Range(0, perSender), seen.Where(m => m.Sender == s).Select(m => m.Seq));
        }
    }

    [Fact]
    public void PoisonPill_is_processed_in_order_and_later_messages_become_dead_letters()
    {
        var echo = ActorOf(Props.Create<Echo>());
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(DeadLetter));
        Watch(echo);
        echo.Tell(1);
        echo.Tell(2);
        echo.Tell(PoisonPill.Instance);
        echo.Tell(3);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectTerminated(echo);
        Assert.Equal(3, probe.ExpectMsg<DeadLetter>().Message);
    }

    private sealed class Slow : ReceiveActor
    {
        public Slow() => Receive<string>(s =>
        {
            if (s == "stop-self")
            {
                Context.Stop(Self);
                return;
            }

            Sender.Tell(s);
        });
    }

    [Fact]
    public void Stop_lets_the_current_message_finish_and_dead_letters_the_rest_of_the_mailbox()
    {
        var a = ActorOf(Props.Create<Slow>());
        Watch(a);
        EventFilter.DeadLetter<string>().Expect(2, () =>
        {
            a.Tell("stop-self");
            a.Tell("left-1");
            a.Tell("left-2");
            ExpectTerminated(a);
        });
    }

    [Fact]
    public void DeadLetters_publishes_messages_sent_to_it()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(DeadLetter));
        Sys.DeadLetters.Tell("lost", TestActor);
        var d = probe.ExpectMsg<DeadLetter>();
        Assert.Equal(("lost", TestActor, Sys.DeadLetters), (d.Message, d.Sender, d.Recipient));
    }

    [Fact]
    public void A_null_sender_is_seen_as_DeadLetters()
    {
        var probe = CreateTestProbe();
        var forwarder = ActorOf(Props.Create(() => new SenderReporter(probe.Ref)));
        forwarder.Tell("who", ActorRefs.NoSender);
        Assert.Equal(Sys.DeadLetters, probe.ExpectMsg<IActorRef>());
    }

    private sealed class SenderReporter : ReceiveActor
    {
        public SenderReporter(IActorRef report) => ReceiveAny(_ => report.Tell(Sender));
    }

    [Fact]
    public void Many_messages_are_all_delivered_across_throughput_batches()
    {
        var echo = ActorOf(Props.Create<Echo>());
        for (var i = 0; i < 200; i++)
        {
            echo.Tell(i);
        }

        Assert.Equal(Enumerable.Range(0, 200).Cast<object>(), ReceiveN(200));
    }

    [Fact]
    public void EventStream_delivers_by_channel_type_once_per_subscriber()
    {
        var probe = CreateTestProbe();
        Assert.True(Sys.EventStream.Subscribe(probe.Ref, typeof(string)));
        Assert.False(Sys.EventStream.Subscribe(probe.Ref, typeof(string)));
        Sys.EventStream.Subscribe(probe.Ref, typeof(object));
        Sys.EventStream.Publish("hello");
        probe.ExpectMsg("hello");
        probe.ExpectNoMsg();
        Assert.True(Sys.EventStream.Unsubscribe(probe.Ref));
        Sys.EventStream.Publish("again");
        probe.ExpectNoMsg();
    }
}
