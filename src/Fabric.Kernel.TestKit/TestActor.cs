using Fabric.Kernel.Actor;

namespace Fabric.Kernel.TestKit;

/// <summary>The actor behind <c>TestActor</c> and each probe: queues every message, and runs TestKit commands (watch, spawn).</summary>
internal sealed class TestActor(MessageQueue queue) : ActorBase
{
    protected override bool Receive(object message)
    {
        if (message is TestActorCommand command)
        {
            command.Run(Context);
            return true;
        }

        queue.Enqueue(message, Sender);
        return true;
    }
}
