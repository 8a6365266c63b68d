using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// The one-shot temporary reference behind <c>Ask</c>, living under <c>/temp</c> (actor-semantics §2.3): the first reply
/// completes the task, later ones go to dead letters; the timeout runs on the system's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PromiseActorRef : InternalActorRef
{
    private readonly TaskCompletionSource<object> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorSystemImpl _system;
    private ITimer? _timer;
    private CancellationTokenRegistration _registration;

    public PromiseActorRef(ActorSystemImpl system, ActorPath path)
    {
        _system = system;
        Path = path;
    }

    public override ActorPath Path { get; }

    public override ActorSystemImpl System => _system;

    public override bool IsTerminated => _promise.Task.IsCompleted;

    public Task<object> Task => _promise.Task;

    public void Start(object target, TimeSpan timeout, CancellationToken ct)
    {
        _promise.Task.ContinueWith(static (_, s) => ((PromiseActorRef)s!).Cleanup(), this, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            var message = $"Timeout after {timeout} waiting for a reply from {target}";
            _timer = _system.TimeProvider.CreateTimer(
                static s => { var (p, m) = ((PromiseActorRef, string))s!; p._promise.TrySetException(new AskTimeoutException(m)); },
                (this, message), timeout, Timeout.InfiniteTimeSpan);
        }

        if (ct.CanBeCanceled)
        {
            _registration = ct.Register(static (s, token) => ((PromiseActorRef)s!)._promise.TrySetCanceled(token), this);
        }
    }

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_promise.TrySetResult(message))
        {
            _system.DeadLetterRef.Publish(message, sender ?? _system.DeadLetters, this);
        }
    }

    public override void SendSystemMessage(ISystemMessage message)
    {
        if (message is Watch w && IsTerminated)
        {
            w.Watcher.SendSystemMessage(new DeathWatchNotification(this, ExistenceConfirmed: false, AddressTerminated: false));
        }
    }

    private void Cleanup()
    {
        _timer?.Dispose();
        _registration.Dispose();
        _system.RemoveTempRef(Path.Name);
    }
}
