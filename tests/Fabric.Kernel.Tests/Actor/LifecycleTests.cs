using Fabric.Kernel.Actor;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class LifecycleTests : Fabric.Kernel.TestKit.TestKit
{
    private static int s_instances;

    private sealed class LifeCycleActor : ActorBase
    {
        private readonly IActorRef _report;
        private readonly int _id = Interlocked.Increment(ref s_instances);
        private int _state;

        public LifeCycleActor(IActorRef report)
        {
            _report = report;
            _report.Tell(("ctor", _id), ActorRefs.NoSender);
        }

        protected override void PreStart() => _report.Tell(("preStart", _id), ActorRefs.NoSender);

        protected override void PostStop() => _report.Tell(("postStop", _id), ActorRefs.NoSender);

        protected override void PreRestart(Exception reason, object? message)
        {
            _report.Tell(("preRestart", _id, message), ActorRefs.NoSender);
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            _report.Tell(("postRestart", _id, reason.Message), ActorRefs.NoSender);
            base.PostRestart(reason);
        }

        protected override bool Receive(object message)
        {
            switch (message)
            {
                case "boom":
                    throw new InvalidOperationException("boom");
                case "inc":
                    _state++;
                    return true;
                case "state":
                    Sender.Tell((_state, _id));
                    return true;
                default:
                    return false;
            }
        }
    }

    [Fact]
    public void Hooks_run_in_Akka_order_across_restarts_and_stop()
    {
        var report = CreateTestProbe();
        var actor = ActorOf(Props.Create(() => new LifeCycleActor(report.Ref)), "life");
        var first = report.ExpectMsg<(string, int)>();
        Assert.Equal("ctor", first.Item1);
        var id = first.Item2;
        report.ExpectMsg(("preStart", id));

        actor.Tell("boom");
        report.ExpectMsg<(string, int, object?)>(m => m == ("preRestart", id, "boom"));
        report.ExpectMsg(("postStop", id));
        report.ExpectMsg(("ctor", id + 1));
        report.ExpectMsg<(string, int, string)>(m => m == ("postRestart", id + 1, "boom"));
        report.ExpectMsg(("preStart", id + 1));

        actor.Tell("boom");
        report.ExpectMsg<(string, int, object?)>(m => m == ("preRestart", id + 1, "boom"));
        report.ExpectMsg(("postStop", id + 1));
        report.ExpectMsg(("ctor", id + 2));
        report.ExpectMsg<(string, int, string)>(m => m.Item1 == "postRestart" && m.Item2 == id + 2);
        report.ExpectMsg(("preStart", id + 2));

        Sys.Stop(actor);
        report.ExpectMsg(("postStop", id + 2));
        report.ExpectNoMsg();
    }

    [Fact]
    public void Restart_keeps_ref_and_uid_and_processes_queued_messages_with_the_new_instance()
    {
        var report = CreateTestProbe();
        var actor = ActorOf(Props.Create(() => new LifeCycleActor(report.Ref)));
        var uid = actor.Path.Uid;
        actor.Tell("inc");
        actor.Tell("boom");
        actor.Tell("inc");
        actor.Tell("inc");
        actor.Tell("state");
        var (state, _) = ExpectMsg<(int, int)>();
        Assert.Equal(2, state);
        Assert.Equal(uid, LastSender.Path.Uid);
        Assert.Equal(actor, LastSender);
        Assert.Equal(actor, Sys.ResolveActorRef(actor.Path.ToString()));
    }

    [Fact]
    public void Creating_an_actor_with_new_outside_props_throws()
    {
        Assert.Throws<ActorInitializationException>(() => new LifeCycleActor(TestActor));
    }

    private sealed class FailingCtor : ActorBase
    {
        public FailingCtor(IActorRef report)
        {
            report.Tell("ctor", ActorRefs.NoSender);
            throw new InvalidOperationException("ctor failed");
        }

        protected override bool Receive(object message) => true;
    }

    [Fact]
    public void Constructor_failure_is_an_ActorInitializationException_and_stops_the_actor()
    {
        var report = CreateTestProbe();
        EventFilter.Exception<ActorInitializationException>().ExpectOne(() =>
        {
            var actor = ActorOf(Props.Create(() => new FailingCtor(report.Ref)));
            Watch(actor);
            ExpectTerminated(actor);
        });
        report.ExpectMsg("ctor");
        report.ExpectNoMsg();
    }

    private sealed class ChildMaker : ReceiveActor
    {
        public ChildMaker(IActorRef report)
        {
            Receive<string>(name => Sender.Tell(Context.ActorOf(Props.Create(() => new Reporter(report, name)), name)), s => s != "boom");
            Receive<string>(_ => throw new InvalidOperationException("parent boom"));
        }
    }

    private sealed class Reporter : ActorBase
    {
        private readonly IActorRef _report;
        private readonly string _name;

        public Reporter(IActorRef report, string name)
        {
            _report = report;
            _name = name;
        }

        protected override void PostStop() => _report.Tell("postStop:" + _name, ActorRefs.NoSender);

        protected override bool Receive(object message) => false;
    }

    [Fact]
    public void Stop_runs_children_PostStop_first_then_parent_then_notifies_watchers()
    {
        var report = CreateTestProbe();
        var parent = ActorOf(Props.Create(() => new ParentReporter(report.Ref)));
        parent.Tell("c1");
        ExpectMsg<IActorRef>();
        parent.Tell("c2");
        ExpectMsg<IActorRef>();
        Watch(parent);
        Sys.Stop(parent);
        var stops = report.ReceiveN(3);
        Assert.Equal("postStop:parent", stops[2]);
        Assert.Contains("postStop:c1", stops);
        Assert.Contains("postStop:c2", stops);
        ExpectTerminated(parent);
    }

    private sealed class ParentReporter : ReceiveActor
    {
        private readonly IActorRef _report;

        public ParentReporter(IActorRef report)
        {
            _report = report;
            Receive<string>(name => Sender.Tell(Context.ActorOf(Props.Create(() => new Reporter(report, name)), name)));
        }

        protected override void PostStop() => _report.Tell("postStop:parent", ActorRefs.NoSender);
    }

    [Fact]
    public void Default_PreRestart_stops_children()
    {
        var report = CreateTestProbe();
        var parent = ActorOf(Props.Create(() => new ChildMaker(report.Ref)));
        parent.Tell("kid");
        var kid = ExpectMsg<IActorRef>();
        Watch(kid);
        parent.Tell("boom");
        report.ExpectMsg("postStop:kid");
        ExpectTerminated(kid);
        parent.Tell("kid");
        var kid2 = ExpectMsg<IActorRef>();
        Assert.NotEqual(kid, kid2);
        Assert.Equal(kid.Path, kid2.Path);
    }
}
