using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.TestKit;

public sealed class TestKitTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public void TestActor_is_the_implicit_sender_in_the_test_body()
    {
        var echo = ActorOf(Props.Create<Echo>());
        echo.Tell("hi");
        ExpectMsg("hi");
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public async Task TestActor_stays_the_implicit_sender_across_await()
    {
        var echo = ActorOf(Props.Create<Echo>());
        await Task.Yield();
        echo.Tell("after-await");
        Assert.Equal("after-await", await ExpectMsgAsync<string>());
    }

    [Fact]
    public void ExpectMsg_fails_on_timeout_wrong_type_and_rejected_value()
    {
        Assert.Throws<TestKitAssertionException>(() => ExpectMsg<string>(TimeSpan.FromMilliseconds(50)));
        TestActor.Tell(1);
        Assert.Throws<TestKitAssertionException>(() => ExpectMsg<string>());
        TestActor.Tell(2);
        Assert.Throws<TestKitAssertionException>(() => ExpectMsg(3));
        TestActor.Tell(4);
        Assert.Throws<TestKitAssertionException>(() => ExpectMsg<int>(i => i > 10));
        TestActor.Tell(5);
        Assert.Equal(5, ExpectMsg<int>(i => Assert.Equal(5, i)));
    }

    [Fact]
    public void ExpectNoMsg_fails_when_a_message_is_queued()
    {
        TestActor.Tell("unexpected");
        Assert.Throws<TestKitAssertionException>(() => ExpectNoMsg(TimeSpan.FromMilliseconds(50)));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void FishForMessage_discards_until_a_match_and_ReceiveN_collects_in_order()
    {
        foreach (var m in new object[] { 1, "a", 2, "b", 3 })
        {
            TestActor.Tell(m);
        }

        Assert.Equal("b", FishForMessage<string>(s => s == "b"));
        Assert.Equal(3, ReceiveOne());
        Assert.Null(ReceiveOne(TimeSpan.FromMilliseconds(20)));
        TestActor.Tell(7);
        TestActor.Tell(8);
        Assert.Equal(new object[] { 7, 8 }, ReceiveN(2));
        Assert.Throws<TestKitAssertionException>(() => ReceiveN(1, TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public void Within_bounds_the_block_and_shortens_default_waits()
    {
        var start = TimeProvider.System.GetTimestamp();
        Assert.Throws<TestKitAssertionException>(() => Within(TimeSpan.FromMilliseconds(200), () => ExpectMsg<string>()));
        Assert.True(TimeProvider.System.GetElapsedTime(start) < TimeSpan.FromSeconds(2), "the wait used the Within deadline, not 3 s");
        Assert.Throws<TestKitAssertionException>(() => Within(TimeSpan.FromMilliseconds(10), () => Thread.Sleep(50)));
        Assert.Equal(3, Within(TimeSpan.FromSeconds(1), () => 3));
    }

    [Fact]
    public void AwaitCondition_and_AwaitAssert_poll_until_success_or_fail()
    {
        var start = TimeProvider.System.GetTimestamp();
        AwaitCondition(() => TimeProvider.System.GetElapsedTime(start) > TimeSpan.FromMilliseconds(30));
        Assert.Throws<TestKitAssertionException>(() => AwaitCondition(() => false, TimeSpan.FromMilliseconds(30)));
        var tries = 0;
        AwaitAssert(() => Assert.True(++tries >= 3));
        Assert.Throws<Xunit.Sdk.TrueException>(() => AwaitAssert(() => Assert.True(false), TimeSpan.FromMilliseconds(30)));
    }

    [Fact]
    public void Probes_have_their_own_queue_and_can_reply_and_forward()
    {
        var probe = CreateTestProbe("my-probe");
        Assert.Equal("/system/my-probe", probe.Ref.Path.ToStringWithoutAddress());
        probe.Ref.Tell("question");
        probe.ExpectMsg("question");
        Assert.Equal(TestActor, probe.Sender);
        probe.Reply("answer");
        ExpectMsg("answer");
        Assert.Equal(probe.Ref, LastSender);
        var other = CreateTestProbe();
        probe.Ref.Tell("pass-on");
        probe.ExpectMsg("pass-on");
        probe.Forward(other.Ref);
        other.ExpectMsg("pass-on");
        Assert.Equal(TestActor, other.LastSender);
        probe.Send(other.Ref, "direct");
        other.ExpectMsg("direct");
        Assert.Equal(probe.Ref, other.LastSender);
    }

    private sealed class Thrower : ReceiveActor
    {
        public Thrower() => Receive<string>(s => throw new InvalidOperationException(s));
    }

    [Fact]
    public void ChildActorOf_makes_the_test_actor_the_parent()
    {
        var child = ChildActorOf(Props.Create<Echo>(), "kid");
        Assert.Equal("/system/testActor/kid", child.Path.ToStringWithoutAddress());
        child.Tell("x");
        ExpectMsg("x");
    }

    [Fact]
    public void EventFilter_counts_matching_events_and_fails_on_missing_or_excess()
    {
        var thrower = ActorOf(Props.Create<Thrower>());
        EventFilter.Exception<InvalidOperationException>(message: "one").ExpectOne(() => thrower.Tell("one"));
        EventFilter.Error(contains: "two").Expect(2, () =>
        {
            thrower.Tell("two-a");
            thrower.Tell("two-b");
        });
        Assert.Throws<TestKitAssertionException>(() =>
            EventFilter.Exception<ArgumentException>().ExpectOne(() => thrower.Tell("wrong type")));
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Fabric.Kernel.Event.Error));
        Assert.Throws<TestKitAssertionException>(() =>
            EventFilter.Error(contains: "excess").ExpectOne(() =>
            {
                thrower.Tell("excess-1");
                thrower.Tell("excess-2");

                // Both failures are logged before the block ends.
                errors.ExpectMsg<Fabric.Kernel.Event.Error>();
                errors.ExpectMsg<Fabric.Kernel.Event.Error>();
            }));
    }

    [Fact]
    public async Task EventFilter_async_and_info_and_dead_letters()
    {
        await EventFilter.Info(contains: "hello").ExpectOneAsync(() =>
        {
            Sys.Log.Info("hello world");
            return Task.CompletedTask;
        });
        await EventFilter.DeadLetter<int>(i => i == 9).ExpectOneAsync(() =>
        {
            Sys.DeadLetters.Tell(9, ActorRefs.NoSender);
            return Task.CompletedTask;
        });
        var seen = CreateTestProbe();
        Sys.EventStream.Subscribe(seen.Ref, typeof(LogEvent));
        Sys.Log.Warning("warn");
        Assert.Equal("warn", seen.ExpectMsg<Warning>().Message);
    }

    [Fact]
    public void Dispose_terminates_the_system()
    {
        var kit = new Fabric.Kernel.TestKit.TestKit("disposable");
        kit.Dispose();
        Assert.True(kit.Sys.WhenTerminated.IsCompleted);
    }
}
