namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// The sender used by the implicit-sender <c>Tell</c> outside any actor (flows across <c>await</c>); the TestKit sets it to
/// its <c>TestActor</c> so that <c>actor.Tell(msg)</c> in a test body replies to the test.
/// </summary>
internal static class ImplicitSender
{
    private static readonly AsyncLocal<IActorRef?> s_current = new();

    public static IActorRef? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }
}
