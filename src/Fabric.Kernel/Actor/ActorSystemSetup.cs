using Microsoft.Extensions.Logging;

namespace Fabric.Kernel.Actor;

/// <summary>Settings for <see cref="ActorSystem.Create(string, ActorSystemSetup?)"/>.</summary>
public sealed class ActorSystemSetup
{
    /// <summary>
    /// The clock behind the scheduler, actor timers, receive timeouts, ask timeouts and restart windows. Tests pass a virtual
    /// one (TestKit <c>VirtualTimeProvider</c>). Default <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where log events are also written (besides the <c>EventStream</c>); <see langword="null"/> = no ILogger output.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>User messages an actor processes per dispatcher run before yielding its thread (Akka default-dispatcher: 30).</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Strategy of the <c>/user</c> guardian; <see langword="null"/> = <see cref="SupervisorStrategy.DefaultStrategy"/>.</summary>
    public SupervisorStrategy? GuardianSupervisorStrategy { get; init; }

    /// <summary>Timeout of <c>Ask</c> calls that give none; <see langword="null"/> = infinite (Akka <c>ask-timeout</c> default).</summary>
    public TimeSpan? DefaultAskTimeout { get; init; }
}
