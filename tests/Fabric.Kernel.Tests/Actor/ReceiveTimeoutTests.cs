using Fabric.Kernel.Actor;
using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class ReceiveTimeoutTests : Fabric.Kernel.TestKit.TestKit
{
    private readonly VirtualTimeProvider _clock;

    public ReceiveTimeoutTests()
        : this(new VirtualTimeProvider())
    {
    }

    private ReceiveTimeoutTests(VirtualTimeProvider clock)
        : base("receive-timeout", clock) => _clock = clock;

    private sealed record SetTimeout(TimeSpan? Timeout);

    private sealed class Idler : ReceiveActor
    {
        public Idler(IActorRef report)
        {
            Receive<ReceiveTimeout>(_ => report.Tell("timeout"));
            Receive<SetTimeout>(t =>
            {
                Context.SetReceiveTimeout(t.Timeout);
                Sender.Tell("set");
            });
            Receive<string>(s => Sender.Tell("ack:" + s));
        }
    }

    [Fact]
    public void ReceiveTimeout_fires_after_idle_time_and_is_reset_by_messages()
    {
        var probe = CreateTestProbe();
        var a = ActorOf(Props.Create(() => new Idler(probe.Ref)));
        a.Tell(new SetTimeout(TimeSpan.FromSeconds(10)));
        ExpectMsg("set");
        _clock.Advance(TimeSpan.FromSeconds(9));
        a.Tell("poke");
        ExpectMsg("ack:poke");
        _clock.Advance(TimeSpan.FromSeconds(9));
        probe.ExpectNoMsg();
        _clock.Advance(TimeSpan.FromSeconds(1));
        probe.ExpectMsg("timeout");
    }

    [Fact]
    public void ReceiveTimeout_repeats_while_idle_and_null_disables_it()
    {
        var probe = CreateTestProbe();
        var a = ActorOf(Props.Create(() => new Idler(probe.Ref)));
        a.Tell(new SetTimeout(TimeSpan.FromSeconds(5)));
        ExpectMsg("set");
        _clock.Advance(TimeSpan.FromSeconds(5));
        probe.ExpectMsg("timeout");
        AwaitCondition(() => _clock.ActiveTimerCount > 0);
        _clock.Advance(TimeSpan.FromSeconds(5));
        probe.ExpectMsg("timeout");
        a.Tell(new SetTimeout(null));
        ExpectMsg("set");
        _clock.Advance(TimeSpan.FromMinutes(1));
        probe.ExpectNoMsg();
    }
}
