using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class StashTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Gate : ReceiveActor, IWithUnboundedStash
    {
        public Gate()
        {
            Receive<string>(s => s == "open", _ =>
            {
                Stash.UnstashAll();
                Become(Open);
            });
            Receive<string>(s => s == "twice", _ =>
            {
                Stash.Stash();
                try
                {
                    Stash.Stash();
                }
                catch (IllegalActorStateException)
                {
                    Sender.Tell("refused");
                }
            });
            Receive<string>(s => s == "crash", _ => throw new InvalidOperationException("crash"));
            ReceiveAny(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;

        private void Open() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public void UnstashAll_replays_stashed_messages_in_order_before_newer_ones()
    {
        var gate = ActorOf(Props.Create<Gate>());
        gate.Tell(1);
        gate.Tell(2);
        gate.Tell(3);
        gate.Tell("open");
        gate.Tell(4);
        Assert.Equal(new object[] { 1, 2, 3, 4 }, ReceiveN(4));
    }

    [Fact]
    public void Stashing_the_same_message_twice_throws_IllegalActorStateException()
    {
        var gate = ActorOf(Props.Create<Gate>());
        gate.Tell("twice");
        ExpectMsg("refused");
    }

    [Fact]
    public void Stash_is_unstashed_into_the_mailbox_on_restart()
    {
        var gate = ActorOf(Props.Create<Gate>());
        gate.Tell(1);
        gate.Tell(2);
        gate.Tell("crash");
        gate.Tell("open");
        gate.Tell(3);
        // After the restart 1 and 2 are back at the front: the new instance stashes them again, then "open" replays them.
        Assert.Equal(new object[] { 1, 2, 3 }, ReceiveN(3));
    }

    [Fact]
    public void Stashed_messages_go_to_dead_letters_when_the_actor_stops()
    {
        var gate = ActorOf(Props.Create<Gate>());
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(DeadLetter));
        gate.Tell(1);
        gate.Tell(2);
        gate.Tell(PoisonPill.Instance);
        Assert.Equal(1, probe.ExpectMsg<DeadLetter>().Message);
        Assert.Equal(2, probe.ExpectMsg<DeadLetter>().Message);
    }
}
