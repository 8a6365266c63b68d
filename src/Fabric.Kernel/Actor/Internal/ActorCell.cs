using Fabric.Kernel.Dispatch;
using Fabric.Kernel.Event;
using Fabric.Kernel.Scheduling;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>
/// The kernel side of one actor (Akka.NET <c>ActorCell</c>): owns the instance, the behavior stack, children, death watch,
/// supervision state, timers and the mailbox. Everything except the children container and <see cref="Stop"/> runs on the
/// mailbox's processing thread. Split by concern into partial files.
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? t_current;

    [ThreadStatic]
    private static ActorCell? t_creating;

    private readonly ActorSystemImpl _system;
    private readonly Props _props;
    private readonly InternalActorRef _parent;
    private readonly LocalActorRef _self;
    private readonly List<Receive> _behaviorStack = [];
    private ActorBase? _actor;
    private Envelope _currentEnvelope;
    private long _messageSequence;
    private ILoggingAdapter? _log;
    private TimerScheduler? _timers;
    private UnboundedStash? _stash;
    private volatile bool _terminated;

    public ActorCell(ActorSystemImpl system, Props props, ActorPath path, InternalActorRef parent, Dispatcher dispatcher)
    {
        _system = system;
        _props = props;
        _parent = parent;
        SelfPath = path;
        Mailbox = new Mailbox(dispatcher);
        Mailbox.SetActor(this);
        _self = new LocalActorRef(this);
    }

    /// <summary>The cell whose message or hook is running on this thread, if any.</summary>
    public static ActorCell? Current => t_current;

    public ActorPath SelfPath { get; }

    public ActorSystemImpl SystemImpl => _system;

    public Mailbox Mailbox { get; }

    public LocalActorRef SelfRef => _self;

    public InternalActorRef ParentRef => _parent;

    public bool IsTerminated => _terminated;

    public IActorRef Self => _self;

    public IActorRef Sender => _currentEnvelope.Message is null ? _system.DeadLetters : _currentEnvelope.Sender;

    public IActorRef Parent => _parent;

    public ActorSystem System => _system;

    public Props Props => _props;

    public ILoggingAdapter Log => _log ??= _system.LogFor(SelfPath.ToString(), _props.Type);

    /// <summary>The envelope being processed and its sequence number (used by the stash).</summary>
    public (Envelope Envelope, long Sequence) CurrentMessage => (_currentEnvelope, _messageSequence);

    /// <summary>Makes <see cref="Sender"/> report <paramref name="sender"/> for the rest of the current message (persist handlers run with their command's sender).</summary>
    public void SetCurrentSender(IActorRef sender) => _currentEnvelope = _currentEnvelope with { Sender = sender };

    public TimerScheduler TimerScheduler => _timers ??= new TimerScheduler(_self, _system.TimeProvider);

    /// <summary>Called by <see cref="ActorBase"/>'s constructor: the cell creating it, consumed once.</summary>
    public static ActorCell? TakeCreatingCell()
    {
        var cell = t_creating;
        t_creating = null;
        return cell;
    }

    public UnboundedStash CreateStash() => _stash = new UnboundedStash(this);

    public void Start() => Mailbox.EnqueueSystem(Create.Instance);

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        if (_behaviorStack.Count == 0)
        {
            _behaviorStack.Add(receive);
        }
        else
        {
            _behaviorStack[^1] = receive;
        }
    }

    public void BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviorStack.Add(receive);
    }

    public void UnbecomeStacked()
    {
        if (_behaviorStack.Count > 1)
        {
            _behaviorStack.RemoveAt(_behaviorStack.Count - 1);
        }
    }

    /// <summary>Processes one user message (mailbox thread).</summary>
    public void Invoke(Envelope envelope)
    {
        var previous = t_current;
        t_current = this;
        _currentEnvelope = envelope;
        _messageSequence++;
        var message = envelope.Message;
        var influence = message switch
        {
            INotInfluenceReceiveTimeout => false,
            TimerMessage tm => tm.InfluencesReceiveTimeout,
            _ => true,
        };
        try
        {
            if (influence)
            {
                CancelReceiveTimeoutTimer();
            }

            if (_actor is null)
            {
                SendToDeadLetters(envelope);
                return;
            }

            if (message is TimerMessage timerMessage)
            {
                var inner = _timers?.Intercept(timerMessage);
                if (inner is null)
                {
                    return;
                }

                message = inner;
                _currentEnvelope = envelope with { Message = inner };
            }

            if (message is IAutoReceivedMessage)
            {
                AutoReceiveMessage(message);
            }
            else
            {
                ReceiveMessage(message);
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _currentEnvelope = default;
            CheckReceiveTimeout(influence);
            t_current = previous;
        }
    }

    /// <summary>Processes one system message (mailbox thread).</summary>
    public void SystemInvoke(ISystemMessage message)
    {
        var previous = t_current;
        t_current = this;
        try
        {
            switch (message)
            {
                case Create:
                    CreateActor();
                    break;
                case Recreate r:
                    FaultRecreate(r.Cause);
                    break;
                case Suspend:
                    FaultSuspend();
                    break;
                case Resume r:
                    FaultResume(r.CausedByFailure);
                    break;
                case Dispatch.Terminate:
                    Terminate();
                    break;
                case Watch w:
                    AddWatcher(w.Watchee, w.Watcher);
                    break;
                case Unwatch u:
                    RemoveWatcher(u.Watchee, u.Watcher);
                    break;
                case Failed f:
                    HandleFailed(f);
                    break;
                case DeathWatchNotification n:
                    WatchedActorTerminated(n);
                    break;
                case ActorTaskContinuation c:
                    RunContinuation(c);
                    break;
                case ActorTaskCompleted c:
                    TaskCompleted(c);
                    break;
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            t_current = previous;
        }
    }

    /// <summary>A system message reached this actor after it terminated: answer watchers, drop the rest.</summary>
    public void HandleSystemMessageAfterTermination(ISystemMessage message)
    {
        if (message is Watch w && w.Watchee.Equals(_self) && !w.Watcher.Equals(_self))
        {
            w.Watcher.SendSystemMessage(new DeathWatchNotification(_self, ExistenceConfirmed: false, AddressTerminated: false));
        }
    }

    public void SendToDeadLetters(Envelope envelope)
    {
        if (envelope.Message is TimerMessage)
        {
            return;
        }

        _system.DeadLetterRef.Publish(envelope.Message, envelope.Sender, _self);
    }

    public void LogMailboxCrash(Exception e) => Log.Error(e, $"Mailbox processing of {SelfPath} failed unexpectedly");

    private void ReceiveMessage(object message)
    {
        var behavior = _behaviorStack[^1];
        if (!_actor!.AroundReceive(behavior, message))
        {
            _actor!.UnhandledInternal(message);
        }
    }

    private void AutoReceiveMessage(object message)
    {
        switch (message)
        {
            case Terminated t:
                ReceivedTerminated(t);
                break;
            case PoisonPill:
                Stop(_self);
                break;
            case Kill:
                throw new ActorKilledException("Kill");
            case Identify identify:
                Sender.Tell(new ActorIdentity(identify.MessageId, _self), _self);
                break;
            default:
                ReceiveMessage(message);
                break;
        }
    }

    private void CreateActor()
    {
        try
        {
            NewActor();
            _actor!.AroundPreStart();
            CheckReceiveTimeout(true);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e is ActorInitializationException
                ? e
                : new ActorInitializationException(_self, $"Exception during creation of {SelfPath}", e));
        }
    }

    private void NewActor()
    {
        _behaviorStack.Clear();
        _actor = null;
        var previous = t_creating;
        t_creating = this;
        ActorBase instance;
        try
        {
            instance = _props.NewActor();
        }
        finally
        {
            t_creating = previous;
        }

        instance.OnConstructed();
        _behaviorStack.Add(instance.ReceiveInternal);
        _actor = instance;
    }
}
