using Fabric.Kernel.Actor;
using Xunit;

namespace Fabric.Kernel.Tests.Actor;

public sealed class NamingTests : Fabric.Kernel.TestKit.TestKit
{
    private sealed class Idle : ReceiveActor
    {
        public Idle()
        {
            Receive<string>(s => s == "children", _ => Sender.Tell(Context.GetChildren().Count()));
            Receive<string>(s => s == "child-ghost", _ => Sender.Tell(Context.Child("ghost")));
            Receive<string>(s => s == "make", _ => Sender.Tell(Context.ActorOf(Props.Create<Idle>())));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("$reserved")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("bad%zz")]
    public void Invalid_child_names_are_rejected(string name)
    {
        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create<Idle>(), name));
    }

    [Theory]
    [InlineData("bridge-br0")]
    [InlineData("a.b_c*d+e:f@g&h=i,j!k~l'm;n(o)")]
    [InlineData("esc%20aped")]
    public void Valid_child_names_are_accepted(string name)
    {
        Assert.Equal(name, ActorOf(Props.Create<Idle>(), name).Path.Name);
    }

    [Fact]
    public void Duplicate_live_names_are_rejected()
    {
        ActorOf(Props.Create<Idle>(), "dup");
        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create<Idle>(), "dup"));
    }

    [Fact]
    public void Unnamed_children_get_generated_dollar_names()
    {
        var parent = ActorOf(Props.Create<Idle>());
        Assert.StartsWith("$", parent.Path.Name);
        parent.Tell("make");
        var child = ExpectMsg<IActorRef>();
        Assert.StartsWith("$", child.Path.Name);
        Assert.Equal(parent.Path, child.Path.Parent);
    }

    [Fact]
    public void Paths_have_the_Akka_shape_and_refs_carry_a_uid()
    {
        var a = ActorOf(Props.Create<Idle>(), "a");
        Assert.Equal("akka://test/user/a", a.Path.ToString());
        Assert.Equal("/user/a", a.Path.ToStringWithoutAddress());
        Assert.Equal(new[] { "user", "a" }, a.Path.Elements);
        Assert.NotEqual(0, a.Path.Uid);
        Assert.Equal($"akka://test/user/a#{a.Path.Uid}", a.Path.ToSerializationFormat());
        Assert.Equal(a.Path, a.Path.WithUid(0));
    }

    [Fact]
    public void Child_returns_Nobody_when_absent()
    {
        var a = ActorOf(Props.Create<Idle>());
        a.Tell("child-ghost");
        Assert.Equal(ActorRefs.Nobody, ExpectMsg<IActorRef>());
    }

    [Fact]
    public void ResolveActorRef_finds_live_actors_by_path_and_returns_null_otherwise()
    {
        var a = ActorOf(Props.Create<Idle>(), "resolve-me");
        Assert.Equal(a, Sys.ResolveActorRef("/user/resolve-me"));
        Assert.Equal(a, Sys.ResolveActorRef("akka://test/user/resolve-me"));
        Assert.Equal(a, Sys.ResolveActorRef(a.Path.ToSerializationFormat()));
        Assert.Null(Sys.ResolveActorRef("/user/resolve-me#1"));
        Assert.Null(Sys.ResolveActorRef("akka://other/user/resolve-me"));
        Assert.Null(Sys.ResolveActorRef("/user/nobody-here"));
        Assert.Equal(Sys.DeadLetters, Sys.ResolveActorRef("/deadLetters"));
        Watch(a);
        Sys.Stop(a);
        ExpectTerminated(a);
        Assert.Null(Sys.ResolveActorRef("/user/resolve-me"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-lead")]
    [InlineData("has_underscore")]
    [InlineData("dot.ted")]
    public void Invalid_system_names_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => ActorSystem.Create(name));
    }

    [Fact]
    public void Refs_compare_by_path_and_uid()
    {
        var a = ActorOf(Props.Create<Idle>(), "cmp");
        var resolved = Sys.ResolveActorRef("/user/cmp")!;
        Assert.Equal(a, resolved);
        Assert.Equal(0, a.CompareTo(resolved));
        Assert.Equal(a.GetHashCode(), resolved.GetHashCode());
        Assert.NotEqual(a, ActorOf(Props.Create<Idle>(), "cmp2"));
    }
}
