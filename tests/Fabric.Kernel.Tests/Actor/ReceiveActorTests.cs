using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class ReceiveActorTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Ordered : ReceiveActor
    {
        public Ordered()
        {
            Receive<string>(s => s.StartsWith('a'), s => Sender.Tell("first:" + s));
            Receive<string>(s => Sender.Tell("second:" + s));
            Receive<int>(i =>
            {
                if (i < 0)
                {
                    return false;
                }

                Sender.Tell(i);
                return true;
            });
            ReceiveAny(m => Sender.Tell("any:" + m));
        }
    }

    [Fact]
    public void First_matching_handler_in_registration_order_wins()
    {
        var a = ActorOf(Props.Create<Ordered>());
        a.Tell("abc");
        ExpectMsg("first:abc");
        a.Tell("xyz");
        ExpectMsg("second:xyz");
        a.Tell(5);
        ExpectMsg(5);
        a.Tell(-5);
        ExpectMsg("any:-5");
        a.Tell(2.5);
        ExpectMsg("any:2.5");
    }

    private sealed class Strict : ReceiveActor
    {
        public Strict() => Receive<string>(s => Sender.Tell(s));
    }

    [Fact]
    public void Unhandled_messages_are_published_as_UnhandledMessage()
    {
        var a = ActorOf(Props.Create<Strict>());
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(UnhandledMessage));
        a.Tell(42);
        var u = probe.ExpectMsg<UnhandledMessage>();
        Assert.Equal(42, u.Message);
        Assert.Equal(a, u.Recipient);
        Assert.Equal(TestActor, u.Sender);
    }

    private sealed class LateRegistration : ReceiveActor
    {
        public LateRegistration() => Receive<string>(_ =>
        {
            try
            {
                Receive<int>(_ => { });
                Sender.Tell("registered");
            }
            catch (InvalidOperationException)
            {
                Sender.Tell("refused");
            }
        });
    }

    [Fact]
    public void Registering_a_handler_outside_the_constructor_throws()
    {
        ActorOf(Props.Create<LateRegistration>()).Tell("go");
        ExpectMsg("refused");
    }

    private sealed class Switcher : ReceiveActor
    {
        public Switcher()
        {
            Receive<string>(s => s == "state", _ => Sender.Tell("initial"));
            Receive<string>(s => s == "become", _ => Become(Happy));
            Receive<string>(s => s == "stack", _ => BecomeStacked(Angry));
        }

        private void Happy()
        {
            Receive<string>(s => s == "state", _ => Sender.Tell("happy"));
            Receive<string>(s => s == "stack", _ => BecomeStacked(Angry));
        }

        private void Angry()
        {
            Receive<string>(s => s == "state", _ => Sender.Tell("angry"));
            Receive<string>(s => s == "unbecome", _ => UnbecomeStacked());
            Receive<string>(s => s == "stack", _ => BecomeStacked(Angry));
        }
    }

    [Fact]
    public void Become_replaces_and_BecomeStacked_pushes_and_Unbecome_pops()
    {
        var a = ActorOf(Props.Create<Switcher>());
        a.Tell("stack");
        a.Tell("state");
        ExpectMsg("angry");
        a.Tell("unbecome");
        a.Tell("state");
        ExpectMsg("initial");
        a.Tell("unbecome");
        a.Tell("state");
        ExpectMsg("initial");
        a.Tell("become");
        a.Tell("state");
        ExpectMsg("happy");
        a.Tell("stack");
        a.Tell("stack");
        a.Tell("unbecome");
        a.Tell("state");
        ExpectMsg("angry");
        a.Tell("unbecome");
        a.Tell("state");
        ExpectMsg("happy");
    }

    private sealed class Untyped : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case "swap":
                    Become(m => Sender.Tell("swapped:" + m));
                    break;
                case string s:
                    Sender.Tell("plain:" + s);
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
    }

    [Fact]
    public void UntypedActor_receives_everything_and_can_become()
    {
        var a = ActorOf(Props.Create<Untyped>());
        a.Tell("x");
        ExpectMsg("plain:x");
        a.Tell("swap");
        a.Tell("y");
        ExpectMsg("swapped:y");
    }

    private sealed class AsyncWorker : ReceiveActor
    {
        private int _inFlight;

        public AsyncWorker()
        {
            ReceiveAsync<int>(async i =>
            {
                var concurrent = Interlocked.Increment(ref _inFlight);
                var sender = Sender;
                await Task.Delay(20);
                await Task.Yield();
                Interlocked.Decrement(ref _inFlight);
                // Sender and Self are restored on the actor after the await.
                Sender.Tell((i, concurrent, Sender.Equals(sender), ReferenceEquals(Context.Self, Self)));
            });
            ReceiveAsync<string>(async s =>
            {
                await Task.Delay(10);
                throw new InvalidOperationException(s);
            });
        }
    }

    [Fact]
    public void ReceiveAsync_is_not_reentrant_and_keeps_the_context_across_await()
    {
        var a = ActorOf(Props.Create<AsyncWorker>());
        for (var i = 0; i < 5; i++)
        {
            a.Tell(i);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal((i, 1, true, true), ExpectMsg<(int, int, bool, bool)>());
        }
    }

    [Fact]
    public void A_faulted_ReceiveAsync_task_is_a_failure_of_the_actor()
    {
        var a = ActorOf(Props.Create<AsyncWorker>());
        EventFilter.Exception<InvalidOperationException>(message: "async boom").ExpectOne(() => a.Tell("async boom"));
        a.Tell(7);
        Assert.Equal(7, ExpectMsg<(int, int, bool, bool)>().Item1);
    }
}
