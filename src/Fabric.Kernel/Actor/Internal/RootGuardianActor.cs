namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// The root guardian <c>/</c>: stops <c>/user</c> when it fails (logging "Guardian failed. Shutting down system") and stops
/// itself (and so <c>/system</c>) once <c>/user</c> has terminated, which terminates the system (actor-semantics §4).
/// </summary>
internal sealed class RootGuardianActor : ActorBase
{
    private static readonly SupervisorStrategy GuardianStopping = new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart() => Context.Watch(Context.Child("user"));

    protected override bool Receive(object message)
    {
        if (message is Terminated t && t.ActorRef.Path.Name == "user")
        {
            Context.Stop(Self);
            return true;
        }

        return false;
    }

    protected override SupervisorStrategy SupervisorStrategy() => GuardianStopping;
}
