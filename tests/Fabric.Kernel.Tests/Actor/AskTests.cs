using Fabric.Kernel.Actor;
using Fabric.Kernel.Event;
using Fabric.Kernel.TestKit;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class AskTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Replier : ReceiveActor
    {
        public Replier()
        {
            Receive<int>(i => Sender.Tell(i * 2));
            Receive<string>(s => s == "fail", _ => Sender.Tell(new Status.Failure(new InvalidOperationException("nope"))));
            Receive<string>(s => s == "twice", _ =>
            {
                Sender.Tell("first");
                Sender.Tell("second");
            });
            Receive<string>(s => s == "path", _ => Sender.Tell(Sender.Path.ToStringWithoutAddress()));
            Receive<string>(s => s == "throw", _ => throw new InvalidOperationException("handler failure"));
            Receive<string>(s => s == "silent", _ => { });
        }
    }

    [Fact]
    public async Task Ask_returns_the_typed_reply()
    {
        var replier = ActorOf(Props.Create<Replier>());
        Assert.Equal(42, await replier.Ask<int>(21, TimeSpan.FromSeconds(3)));
        Assert.Equal(42, await replier.Ask(21, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Ask_uses_a_temporary_sender_under_temp()
    {
        var replier = ActorOf(Props.Create<Replier>());
        var path = await replier.Ask<string>("path", TimeSpan.FromSeconds(3));
        Assert.StartsWith("/temp/$", path);
    }

    [Fact]
    public async Task Status_Failure_faults_the_task_with_its_cause()
    {
        var replier = ActorOf(Props.Create<Replier>());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => replier.Ask<int>("fail", TimeSpan.FromSeconds(3)));
        Assert.Equal("nope", e.Message);
    }

    [Fact]
    public async Task A_reply_of_another_type_faults_with_ArgumentException()
    {
        var replier = ActorOf(Props.Create<Replier>());
        await Assert.ThrowsAsync<ArgumentException>(() => replier.Ask<string>(21, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Later_replies_go_to_dead_letters()
    {
        var replier = ActorOf(Props.Create<Replier>());
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(DeadLetter));
        Assert.Equal("first", await replier.Ask<string>("twice", TimeSpan.FromSeconds(3)));
        Assert.Equal("second", probe.ExpectMsg<DeadLetter>().Message);
    }

    [Fact]
    public async Task Handler_exceptions_never_reach_the_asker_which_times_out()
    {
        var replier = ActorOf(Props.Create<Replier>());
        await Assert.ThrowsAsync<AskTimeoutException>(() => replier.Ask<int>("throw", TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Ask_honours_cancellation()
    {
        var replier = ActorOf(Props.Create<Replier>());
        using var cts = new CancellationTokenSource();
        var task = replier.Ask<int>("silent", Timeout.InfiniteTimeSpan, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task Ask_rejects_a_non_positive_timeout()
    {
        var replier = ActorOf(Props.Create<Replier>());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => replier.Ask<int>(1, TimeSpan.Zero));
    }
}

public sealed class AskVirtualTimeTests : Fabric.Kernel.TestKit.TestKit
{
    private static readonly VirtualTimeProvider Clock = new();

    public AskVirtualTimeTests()
        : base("ask-virtual", Clock)
    {
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    [Fact]
    public async Task Ask_timeout_runs_on_the_system_clock()
    {
        var silent = ActorOf(Props.Create<Silent>());
        var task = silent.Ask<int>("hello", TimeSpan.FromSeconds(30));
        Assert.False(task.IsCompleted);
        Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(task.IsCompleted);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => task);
    }
}
