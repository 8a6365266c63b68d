using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class DeathWatchTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Idle : ReceiveActor
    {
        public Idle() => Receive<string>(s => s == "ping", _ => Sender.Tell("pong"));
    }

    /// <summary>Watches / unwatches on command and reports what it receives.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef report)
        {
            Receive<(string, IActorRef)>(c => c.Item1 == "watch", c =>
            {
                Context.Watch(c.Item2);
                Sender.Tell("watching");
            });
            Receive<(string, IActorRef, object)>(c => c.Item1 == "watchWith", c =>
            {
                Context.WatchWith(c.Item2, c.Item3);
                Sender.Tell("watching");
            });
            Receive<(string, IActorRef)>(c => c.Item1 == "stopThenUnwatch", c =>
            {
                // The watched actor dies while this handler runs; its notification is processed right after it,
                // queueing Terminated behind the "unwatch" message sent here, so Unwatch must suppress a queued Terminated.
                Context.Stop(c.Item2);
                Self.Tell(("unwatch", c.Item2), Sender);
                Thread.Sleep(100);
            });
            Receive<(string, IActorRef)>(c => c.Item1 == "unwatch", c =>
            {
                Context.Unwatch(c.Item2);
                Sender.Tell("unwatched");
            });
            Receive<Terminated>(t => report.Tell(t));
            Receive<string>(s => report.Tell(s));
        }
    }

    [Fact]
    public void Watcher_gets_exactly_one_Terminated_with_existence_confirmed()
    {
        var idle = ActorOf(Props.Create<Idle>());
        Watch(idle);
        Watch(idle);
        Sys.Stop(idle);
        var t = ExpectTerminated(idle);
        Assert.True(t.ExistenceConfirmed);
        Assert.False(t.AddressTerminated);
        Assert.Equal(idle, LastSender);
        ExpectNoMsg();
    }

    [Fact]
    public void Watching_a_dead_actor_gives_Terminated_with_existence_not_confirmed()
    {
        var idle = ActorOf(Props.Create<Idle>());
        Watch(idle);
        Sys.Stop(idle);
        ExpectTerminated(idle);
        var probe = CreateTestProbe();
        probe.Watch(idle);
        var t = probe.ExpectTerminated(idle);
        Assert.False(t.ExistenceConfirmed);
    }

    [Fact]
    public void Watching_Nobody_gives_Terminated_at_once()
    {
        Watch(ActorRefs.Nobody);
        Assert.False(ExpectTerminated(ActorRefs.Nobody).ExistenceConfirmed);
    }

    [Fact]
    public void WatchWith_delivers_the_custom_message()
    {
        var watcher = ActorOf(Props.Create(() => new Watcher(TestActor)));
        var idle = ActorOf(Props.Create<Idle>());
        watcher.Tell(("watchWith", idle, (object)"idle died"));
        ExpectMsg("watching");
        Sys.Stop(idle);
        ExpectMsg("idle died");
    }

    [Fact]
    public void Unwatch_suppresses_an_already_queued_Terminated()
    {
        var watcher = ActorOf(Props.Create(() => new Watcher(TestActor)));
        var idle = ActorOf(Props.Create<Idle>());
        watcher.Tell(("watch", idle));
        ExpectMsg("watching");
        watcher.Tell(("stopThenUnwatch", idle));
        ExpectMsg("unwatched");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Unhandled_Terminated_fails_the_watcher_with_DeathPactException_which_stops_it()
    {
        var watcher = ActorOf(Props.Create<PactWatcher>());
        var idle = ActorOf(Props.Create<Idle>());
        watcher.Tell(idle);
        ExpectMsg("watching");
        Watch(watcher);
        EventFilter.Exception<DeathPactException>().ExpectOne(() => Sys.Stop(idle));
        ExpectTerminated(watcher);
    }

    private sealed class PactWatcher : ReceiveActor
    {
        public PactWatcher() => Receive<IActorRef>(a =>
        {
            Context.Watch(a);
            Sender.Tell("watching");
        });
    }

    [Fact]
    public void Parent_is_notified_and_child_name_is_freed_only_after_termination_is_processed()
    {
        var parent = ActorOf(Props.Create<NameReuser>());
        parent.Tell("kid");
        var first = ExpectMsg<IActorRef>();
        parent.Tell("restart-kid");
        var second = ExpectMsg<IActorRef>();
        Assert.Equal(first.Path, second.Path);
        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Path.Uid, second.Path.Uid);
    }

    private sealed class NameReuser : ReceiveActor
    {
        private IActorRef? _replyTo;

        public NameReuser()
        {
            Receive<string>(s => s == "kid", _ => Sender.Tell(Context.ActorOf(Props.Create<Idle>(), "kid")));
            Receive<string>(s => s == "restart-kid", _ =>
            {
                var kid = Context.Child("kid");
                Context.Watch(kid);
                Context.Stop(kid);
                Assert.Throws<InvalidActorNameException>(() => Context.ActorOf(Props.Create<Idle>(), "kid"));
                _replyTo = Sender;
            });
            Receive<Terminated>(_ => _replyTo!.Tell(Context.ActorOf(Props.Create<Idle>(), "kid")));
        }
    }

    [Fact]
    public void A_ref_to_a_dead_incarnation_does_not_reach_the_new_actor_with_the_same_name()
    {
        var first = ActorOf(Props.Create<Idle>(), "same");
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        var second = ActorOf(Props.Create<Idle>(), "same");
        EventFilter.DeadLetter<string>(s => s == "ping").ExpectOne(() => first.Tell("ping"));
        ExpectNoMsg();
        second.Tell("ping");
        ExpectMsg("pong");
    }

    [Fact]
    public void Messages_to_a_stopped_actor_become_DeadLetters_with_the_original_recipient()
    {
        var idle = ActorOf(Props.Create<Idle>());
        Watch(idle);
        Sys.Stop(idle);
        ExpectTerminated(idle);
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(DeadLetter));
        idle.Tell("late", TestActor);
        var d = probe.ExpectMsg<DeadLetter>();
        Assert.Equal("late", d.Message);
        Assert.Equal(idle, d.Recipient);
        Assert.Equal(TestActor, d.Sender);
    }

    [Fact]
    public void Identify_answers_with_the_actor_or_null_when_dead()
    {
        var idle = ActorOf(Props.Create<Idle>());
        idle.Tell(new Identify(42));
        Assert.Equal(new ActorIdentity(42, idle), ExpectMsg<ActorIdentity>());
        Watch(idle);
        Sys.Stop(idle);
        ExpectTerminated(idle);
        idle.Tell(new Identify(43));
        Assert.Equal(new ActorIdentity(43, null), ExpectMsg<ActorIdentity>());
    }
}
