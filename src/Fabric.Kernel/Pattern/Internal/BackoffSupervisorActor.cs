using Fabric.Kernel.Actor;
using Fabric.Kernel.Scheduling;

namespace Fabric.Kernel.Pattern.Internal;

/// <summary>INTERNAL API. The actor behind <see cref="BackoffSupervisor.Props"/>.</summary>
internal sealed class BackoffSupervisorActor : UntypedActor, IWithTimers
{
    private const string RestartTimerKey = "backoff-restart";
    private const string ResetTimerKey = "backoff-reset";
    private readonly BackoffOptions _options;
    private readonly SupervisorStrategy _strategy;
    private IActorRef? _child;
    private int _restartCount;
    private bool _childFailed;

    public BackoffSupervisorActor(BackoffOptions options)
    {
        _options = options;
        _strategy = options.Mode == BackoffMode.OnStop
            ? options.Strategy
            : new OneForOneStrategy(Decide) { LoggingEnabled = options.Strategy.LoggingEnabled };
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => StartChildNow();

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Terminated terminated when terminated.ActorRef.Equals(_child):
                OnChildTerminated();
                break;
            case StartChild:
                if (_child is null)
                {
                    StartChildNow();
                    if (_options.ResetBackoff is { } reset)
                    {
                        Timers.StartSingleTimer(ResetTimerKey, new ResetRestartCount(_restartCount), reset);
                    }
                }

                break;
            case ResetRestartCount reset:
                if (reset.Current == _restartCount)
                {
                    _restartCount = 0;
                }

                break;
            case BackoffSupervisor.Reset:
                if (_options.ResetBackoff is null)
                {
                    _restartCount = 0;
                }
                else
                {
                    Unhandled(message);
                }

                break;
            case BackoffSupervisor.GetCurrentChild:
                Sender.Tell(new BackoffSupervisor.CurrentChild(_child), Self);
                break;
            case BackoffSupervisor.GetRestartCount:
                Sender.Tell(new BackoffSupervisor.RestartCount(_restartCount), Self);
                break;
            case Terminated:
                break;
            default:
                if (_child is not null)
                {
                    _child.Tell(message, Sender);
                }
                else
                {
                    Context.System.DeadLetters.Tell(message, Sender);
                }

                break;
        }
    }

    private Directive Decide(Exception cause)
    {
        var directive = _options.Strategy.Decider(cause);
        if (directive != Directive.Restart)
        {
            return directive;
        }

        _childFailed = true;
        return Directive.Stop;
    }

    private void OnChildTerminated()
    {
        _child = null;
        var failed = _childFailed;
        _childFailed = false;
        Timers.Cancel(ResetTimerKey);
        if (_options.Mode == BackoffMode.OnFailure && !failed)
        {
            Context.Stop(Self);
            return;
        }

        if (_options.MaxNrOfRetries >= 0 && _restartCount >= _options.MaxNrOfRetries)
        {
            Context.Stop(Self);
            return;
        }

        var delay = _options.CalculateDelay(_restartCount, Random.Shared.NextDouble());
        _restartCount++;
        Timers.StartSingleTimer(RestartTimerKey, StartChild.Instance, delay);
    }

    private void StartChildNow()
    {
        _child = Context.Watch(Context.ActorOf(_options.ChildProps, _options.ChildName));
    }
}
