using System.Collections.Concurrent;
using Fabric.Kernel.Dispatch;
using Fabric.Kernel.Event;
using Fabric.Kernel.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fabric.Kernel.Actor.Internal;

/// <summary>The actor system implementation: root guardian, <c>/user</c>, <c>/system</c>, dead letters and temp refs.</summary>
internal sealed class ActorSystemImpl : ActorSystem
{
    private readonly ActorSystemSetup _setup;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProviderScheduler _scheduler;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, PromiseActorRef> _tempRefs = new(StringComparer.Ordinal);
    private readonly ActorPath _rootPath;
    private ActorCell _rootCell = null!;
    private LocalActorRef _userGuardian = null!;
    private LocalActorRef _systemGuardian = null!;
    private long _tempCounter;
    private volatile bool _isTerminating;

    public ActorSystemImpl(string name, ActorSystemSetup setup)
    {
        Name = name;
        _setup = setup;
        TimeProvider = setup.TimeProvider ?? throw new ArgumentException("TimeProvider must not be null.", nameof(setup));
        _loggerFactory = setup.LoggerFactory ?? NullLoggerFactory.Instance;
        Dispatcher = new Dispatcher(setup.Throughput);
        EventStream = new EventStream();
        _scheduler = new TimeProviderScheduler(TimeProvider);
        _rootPath = ActorPath.CreateRoot(name);
        DeadLetterRef = new DeadLetterActorRef(this, _rootPath / "deadLetters");
        Log = LogFor(_rootPath.ToString(), typeof(ActorSystem));
    }

    public override string Name { get; }

    public override ActorSystemSetup Setup => _setup;

    public override IScheduler Scheduler => _scheduler;

    public override EventStream EventStream { get; }

    public override IActorRef DeadLetters => DeadLetterRef;

    public DeadLetterActorRef DeadLetterRef { get; }

    public override TimeProvider TimeProvider { get; }

    public override ILoggingAdapter Log { get; }

    public override Task WhenTerminated => _terminated.Task;

    public Dispatcher Dispatcher { get; }

    public bool IsTerminating => _isTerminating;

    public LocalActorRef UserGuardian => _userGuardian;

    public LocalActorRef SystemGuardian => _systemGuardian;

    public void Start()
    {
        var rootSupervisor = new RootSupervisorRef(this, _rootPath / "bubble-walker");
        _rootCell = new ActorCell(this, Props.Create<RootGuardianActor>(), _rootPath.WithUid(1), rootSupervisor, Dispatcher);
        var userStrategy = _setup.GuardianSupervisorStrategy ?? SupervisorStrategy.DefaultStrategy;
        _userGuardian = _rootCell.AttachChild(Props.Create<GuardianActor>().WithSupervisorStrategy(userStrategy), "user");
        _systemGuardian = _rootCell.AttachChild(
            Props.Create<GuardianActor>().WithSupervisorStrategy(SupervisorStrategy.DefaultStrategy), "system");
        _rootCell.Start();
    }

    public override IActorRef ActorOf(Props props, string? name = null) => _userGuardian.Cell.AttachChild(props, name);

    /// <summary>Creates an actor under <c>/system</c> (used by the TestKit).</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.Cell.AttachChild(props, name);

    public override void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef { Cell.ParentRef: LocalActorRef parent })
        {
            parent.Cell.Stop(actor);
        }
        else if (actor is InternalActorRef target)
        {
            target.SendSystemMessage(Dispatch.Terminate.Instance);
        }
    }

    public override Task Terminate()
    {
        _isTerminating = true;
        _userGuardian.SendSystemMessage(Dispatch.Terminate.Instance);
        return WhenTerminated;
    }

    public override IActorRef? ResolveActorRef(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var rest = path;
        if (path.StartsWith("akka://", StringComparison.Ordinal))
        {
            var address = _rootPath.Address;
            if (!path.StartsWith(address, StringComparison.Ordinal)
                || (path.Length > address.Length && path[address.Length] != '/'))
            {
                return null;
            }

            rest = path[address.Length..];
        }

        if (rest.Length == 0)
        {
            rest = "/";
        }

        if (rest[0] != '/')
        {
            return null;
        }

        var elements = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        long? uid = null;
        if (elements.Length > 0 && elements[^1].IndexOf('#', StringComparison.Ordinal) is var hash and >= 0)
        {
            if (!long.TryParse(elements[^1].AsSpan(hash + 1), System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return null;
            }

            uid = parsed;
            elements[^1] = elements[^1][..hash];
        }

        InternalActorRef? current = _rootCell.SelfRef;
        if (elements.Length == 1 && elements[0] == "deadLetters")
        {
            current = DeadLetterRef;
        }
        else if (elements.Length == 2 && elements[0] == "temp")
        {
            current = _tempRefs.TryGetValue(elements[1], out var temp) ? temp : null;
        }
        else
        {
            foreach (var element in elements)
            {
                current = (current as LocalActorRef)?.Cell.GetChildByName(element) as InternalActorRef;
                if (current is null)
                {
                    return null;
                }
            }
        }

        if (current is null || current.IsTerminated || (uid is { } u && current.Path.Uid != u))
        {
            return null;
        }

        return current;
    }

    public ILoggingAdapter LogFor(string logSource, Type logClass) =>
        new BusLoggingAdapter(EventStream, _loggerFactory.CreateLogger(logClass.FullName ?? logClass.Name), TimeProvider, logSource, logClass);

    public PromiseActorRef CreatePromiseRef()
    {
        var name = "$" + Interlocked.Increment(ref _tempCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var promise = new PromiseActorRef(this, (_rootPath / "temp" / name).WithUid(Random.Shared.NextInt64(1, long.MaxValue)));
        _tempRefs[name] = promise;
        return promise;
    }

    public void RemoveTempRef(string name) => _tempRefs.TryRemove(name, out _);

    public void OnRootTerminated()
    {
        _isTerminating = true;
        _scheduler.Shutdown();
        _terminated.TrySetResult();
    }
}
