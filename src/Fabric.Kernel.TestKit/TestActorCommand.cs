using Fabric.Kernel.Actor;

namespace Fabric.Kernel.TestKit;

/// <summary>Something the test thread asks a test actor to do inside its context (watch, unwatch, spawn a child).</summary>
internal sealed class TestActorCommand(Func<IActorContext, object> action)
{
    private readonly TaskCompletionSource<object> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<object> Done => _done.Task;

    public void Run(IActorContext context)
    {
        try
        {
            _done.TrySetResult(action(context));
        }
        catch (Exception e)
        {
            _done.TrySetException(e);
        }
    }
}
