using Fabric.Kernel.Actor.Internal;
using Fabric.Kernel.Event;
using Fabric.Kernel.Scheduling;

namespace Fabric.Kernel.Actor;

/// <summary>
/// A hierarchy of actors sharing a dispatcher, scheduler, event stream and clock (Akka.NET <c>ActorSystem</c>). Top-level
/// layout: <c>/user</c> (everything from <see cref="ActorOf"/>), <c>/system</c>, <c>/deadLetters</c>, <c>/temp</c>.
/// Disposing terminates it.
/// </summary>
public abstract class ActorSystem : IDisposable, IAsyncDisposable
{
    private protected ActorSystem()
    {
    }

    /// <summary>The system's name (the address is <c>akka://Name</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The settings the system was created with.</summary>
    public abstract ActorSystemSetup Setup { get; }

    /// <summary>The scheduler, driven by <see cref="TimeProvider"/>.</summary>
    public abstract IScheduler Scheduler { get; }

    /// <summary>The publish/subscribe bus for dead letters, unhandled messages and log events.</summary>
    public abstract EventStream EventStream { get; }

    /// <summary><c>/deadLetters</c>: publishes every message sent to it as a <see cref="DeadLetter"/>.</summary>
    public abstract IActorRef DeadLetters { get; }

    /// <summary>The clock behind timers, the scheduler and timeouts.</summary>
    public abstract TimeProvider TimeProvider { get; }

    /// <summary>The system-level logger.</summary>
    public abstract ILoggingAdapter Log { get; }

    /// <summary>Completes when the whole hierarchy has stopped.</summary>
    public abstract Task WhenTerminated { get; }

    /// <summary>
    /// Creates an actor system. <paramref name="name"/> must match <c>^[a-zA-Z0-9][a-zA-Z0-9-]*$</c> (Akka ActorSystemImpl).
    /// </summary>
    /// <param name="name">The system's name.</param>
    /// <param name="setup">Settings; <see langword="null"/> = defaults.</param>
    /// <returns>The started system.</returns>
    /// <exception cref="ArgumentException">Invalid name or throughput.</exception>
    public static ActorSystem Create(string name, ActorSystemSetup? setup = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidSystemName(name))
        {
            throw new ArgumentException(
                $"Invalid ActorSystem name [{name}]: must contain only ASCII letters, digits and '-', and start with a letter or digit.",
                nameof(name));
        }

        var system = new ActorSystemImpl(name, setup ?? new ActorSystemSetup());
        system.Start();
        return system;
    }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    /// <param name="props">The recipe.</param>
    /// <param name="name">Unique name, or <see langword="null"/> for a generated one.</param>
    /// <returns>The actor's reference.</returns>
    /// <exception cref="InvalidActorNameException">Invalid or reserved name.</exception>
    /// <exception cref="InvalidOperationException">The system is terminating.</exception>
    public abstract IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops <paramref name="actor"/> asynchronously (after its current message).</summary>
    /// <param name="actor">The actor.</param>
    public abstract void Stop(IActorRef actor);

    /// <summary>Stops <c>/user</c> (children first), then <c>/system</c>; returns <see cref="WhenTerminated"/>. Idempotent.</summary>
    /// <returns>A task completing when the system has stopped.</returns>
    public abstract Task Terminate();

    /// <summary>
    /// Resolves <c>/user/a/b</c> or <c>akka://Name/user/a/b</c> (optionally with <c>#uid</c>) to a live actor, or
    /// <see langword="null"/> when nothing lives there.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <returns>The live reference or <see langword="null"/>.</returns>
    public abstract IActorRef? ResolveActorRef(string path);

    /// <summary>Terminates the system and waits (up to 30 s) for it to stop.</summary>
    public void Dispose()
    {
        Terminate().Wait(TimeSpan.FromSeconds(30));
        GC.SuppressFinalize(this);
    }

    /// <summary>Terminates the system and awaits its stop.</summary>
    /// <returns>A task completing when the system has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await Terminate().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private static bool IsValidSystemName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
