using System.Runtime.ExceptionServices;
using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <content>
/// <c>ReceiveAsync</c> support: the handler runs under an <see cref="ActorSynchronizationContext"/> so its <c>await</c>
/// continuations run on the actor with the original message restored; user messages wait until its task completes
/// (non-reentrant, actor-semantics §1).
/// </content>
internal sealed partial class ActorCell
{
    public void RunTask(Func<Task> action)
    {
        var envelope = _currentEnvelope;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new ActorSynchronizationContext(this, envelope));
        Task task;
        try
        {
            task = action();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        if (task.IsCompleted)
        {
            ThrowIfFailed(task);
            return;
        }

        Mailbox.SuspendOnce();
        task.ContinueWith(
            static (t, s) =>
            {
                var (cell, envelope) = ((ActorCell, Envelope))s!;
                cell.Mailbox.EnqueueSystem(new ActorTaskCompleted(t, envelope));
            },
            (this, envelope), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void ThrowIfFailed(Task task)
    {
        if (task.IsFaulted)
        {
            ExceptionDispatchInfo.Throw(task.Exception!.InnerException ?? task.Exception);
        }

        if (task.IsCanceled)
        {
            throw new TaskCanceledException(task);
        }
    }

    private void RunContinuation(ActorTaskContinuation continuation)
    {
        var previous = SynchronizationContext.Current;
        _currentEnvelope = continuation.Envelope;
        SynchronizationContext.SetSynchronizationContext(new ActorSynchronizationContext(this, continuation.Envelope));
        try
        {
            continuation.Callback(continuation.State);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            _currentEnvelope = default;
        }
    }

    private void TaskCompleted(ActorTaskCompleted completed)
    {
        Mailbox.ResumeOnce();
        if (completed.Task.IsCompletedSuccessfully)
        {
            return;
        }

        _currentEnvelope = completed.Envelope;
        try
        {
            ThrowIfFailed(completed.Task);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _currentEnvelope = default;
        }
    }
}
