using Fabric.Kernel.Dispatch;

namespace Fabric.Kernel.Actor.Internal;

/// <content>
/// Failure, supervision, restart and stop sequences (actor-semantics §3, §4; Akka.NET <c>ActorCell.FaultHandling</c>).
/// </content>
internal sealed partial class ActorCell
{
    private bool _isFailed;
    private object? _failedMessage;
    private IActorRef? _notSuspendedChild;
    private PendingState _pending;
    private Exception? _recreateCause;

    /// <summary>
    /// The actor (or one of its system messages) threw: suspend it and its children except <paramref name="notSuspendedChild"/>,
    /// drop the current message and tell the parent.
    /// </summary>
    private void HandleInvokeFailure(Exception cause, IActorRef? notSuspendedChild = null)
    {
        if (_isTerminating || _terminated)
        {
            Log.Error(cause, $"Failure while stopping: {cause.Message}");
            return;
        }

        if (_isFailed)
        {
            return;
        }

        _isFailed = true;
        _failedMessage = _currentEnvelope.Message;
        _notSuspendedChild = notSuspendedChild;
        Mailbox.SuspendOnce();
        foreach (var stats in ChildStatsSnapshot())
        {
            if (!stats.Child.Equals(notSuspendedChild))
            {
                ((InternalActorRef)stats.Child).SendSystemMessage(Suspend.Instance);
            }
        }

        _parent.SendSystemMessage(new Failed(_self, cause, SelfPath.Uid));
    }

    private void HandleFailed(Failed failed)
    {
        if (_isTerminating)
        {
            return;
        }

        var stats = FindChild(failed.Child);
        if (stats is null || failed.Uid != failed.Child.Path.Uid)
        {
            return;
        }

        var strategy = _props.SupervisorStrategy
            ?? _actor?.SupervisorStrategyInternal()
            ?? SupervisorStrategy.DefaultStrategy;
        if (!strategy.HandleFailure(this, failed.Child, failed.Cause, stats, ChildStatsSnapshot()))
        {
            HandleInvokeFailure(failed.Cause, failed.Child);
        }
    }

    private void FaultSuspend()
    {
        Mailbox.SuspendOnce();
        foreach (var stats in ChildStatsSnapshot())
        {
            ((InternalActorRef)stats.Child).SendSystemMessage(Suspend.Instance);
        }
    }

    private void FaultResume(Exception? causedByFailure)
    {
        if (_terminated || _isTerminating)
        {
            return;
        }

        if (_actor is null && causedByFailure is not null)
        {
            FaultCreate();
            return;
        }

        var perpetrator = _notSuspendedChild;
        if (causedByFailure is not null)
        {
            _isFailed = false;
            _failedMessage = null;
            _notSuspendedChild = null;
        }

        Mailbox.ResumeOnce();
        foreach (var stats in ChildStatsSnapshot())
        {
            var childCause = stats.Child.Equals(perpetrator) ? causedByFailure : null;
            ((InternalActorRef)stats.Child).SendSystemMessage(new Resume(childCause));
        }
    }

    /// <summary>Restart, steps 1–4: cancel timers, <c>PreRestart</c> on the old instance, unstash, wait for dying children.</summary>
    private void FaultRecreate(Exception cause)
    {
        if (_terminated || _isTerminating)
        {
            return;
        }

        if (_actor is null)
        {
            FaultCreate();
            return;
        }

        var failedActor = _actor;
        var failedMessage = _failedMessage;
        _timers?.CancelAll();
        try
        {
            failedActor.AroundPreRestart(cause, failedMessage);
        }
        catch (Exception e)
        {
            Log.Error(e, $"PreRestart of {SelfPath} failed: {e.Message}");
        }

        _stash?.UnstashAll();
        _behaviorStack.Clear();
        if (HasChildrenToDie())
        {
            _pending = PendingState.Recreation;
            _recreateCause = cause;
        }
        else
        {
            FinishRecreate(cause);
        }
    }

    /// <summary>Restart, steps 5–7: new instance from the same <see cref="Props"/>, <c>PostRestart</c>, restart survivors, resume.</summary>
    private void FinishRecreate(Exception cause)
    {
        var survivors = ChildStatsSnapshot();
        _recreateCause = null;
        _isFailed = false;
        _failedMessage = null;
        _notSuspendedChild = null;
        Mailbox.ResumeOnce();
        try
        {
            NewActor();
            _actor!.AroundPostRestart(cause);
            CheckReceiveTimeout(true);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(new PostRestartException(_self, cause, e));
            return;
        }

        foreach (var survivor in survivors)
        {
            ((InternalActorRef)survivor.Child).SendSystemMessage(new Recreate(cause));
        }
    }

    /// <summary>The instance was never built (constructor or <c>PreStart</c> failed): build it again.</summary>
    private void FaultCreate()
    {
        _isFailed = false;
        _failedMessage = null;
        Mailbox.ResumeOnce();
        CreateActor();
    }

    /// <summary>Stop, steps 1–2: no more user messages, stop every child, continue when they are gone.</summary>
    private void Terminate()
    {
        ChildRestartStats[] children;
        lock (_childrenLock)
        {
            if (_isTerminating || _terminated)
            {
                return;
            }

            _isTerminating = true;
            children = [.. _children.Values];
            foreach (var stats in children)
            {
                _toDie.Add(stats.Child);
            }
        }

        CancelReceiveTimeoutTimer();
        Mailbox.SuspendOnce();
        foreach (var stats in children)
        {
            ((InternalActorRef)stats.Child).SendSystemMessage(Dispatch.Terminate.Instance);
        }

        if (HasChildrenToDie())
        {
            _pending = PendingState.Termination;
        }
        else
        {
            FinishTerminate();
        }
    }

    /// <summary>Stop, steps 3–5: <c>PostStop</c>, notify parent then watchers, dead-letter the leftovers.</summary>
    private void FinishTerminate()
    {
        var actor = _actor;
        try
        {
            _timers?.CancelAll();
            actor?.AroundPostStop();
        }
        catch (Exception e)
        {
            Log.Error(e, $"PostStop of {SelfPath} failed: {e.Message}");
        }
        finally
        {
            _timers?.CancelAll();
            CancelReceiveTimeoutTimer();
            var leftovers = _stash?.ClearStash();
            _terminated = true;
            Mailbox.Close();
            if (leftovers is not null)
            {
                foreach (var (message, sender) in leftovers)
                {
                    _system.DeadLetterRef.Publish(message, sender, _self);
                }
            }

            _parent.SendSystemMessage(new DeathWatchNotification(_self, ExistenceConfirmed: true, AddressTerminated: false));
            TellWatchersWeDied();
            UnwatchWatchedActors();
            _actor = null;
            _behaviorStack.Clear();
        }
    }
}
