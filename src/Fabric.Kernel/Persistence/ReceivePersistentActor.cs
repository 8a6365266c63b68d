using Fabric.Kernel.Actor;
using Fabric.Kernel.Actor.Internal;

namespace Fabric.Kernel.Persistence;

/// <summary>
/// A persistent actor whose command and recover handlers are registered in its constructor (Akka.Persistence
/// <c>ReceivePersistentActor</c>): the first matching handler in registration order wins; an unmatched command goes to
/// <c>Unhandled</c>. Registering outside the constructor (or, for commands, a <see cref="Become"/> configuration) throws
/// <see cref="InvalidOperationException"/>.
/// </summary>
public abstract class ReceivePersistentActor : Eventsourced
{
    private readonly HandlerList _commands = new(
        "Command handlers can only be registered in the actor's constructor or inside Become/BecomeStacked.");

    private readonly HandlerList _recovers = new("Recover handlers can only be registered in the actor's constructor.");

    /// <summary>Handles commands of type <typeparamref name="T"/> (optionally only those matching <paramref name="shouldHandle"/>).</summary>
    /// <typeparam name="T">Command type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    /// <param name="shouldHandle">Optional filter; non-matching commands fall through to later handlers.</param>
    protected void Command<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _commands.Add(typeof(T), m =>
        {
            var t = (T)m;
            if (shouldHandle is not null && !shouldHandle(t))
            {
                return false;
            }

            handler(t);
            return true;
        });
    }

    /// <summary>Handles commands of type <typeparamref name="T"/> that match <paramref name="shouldHandle"/> (filter first, like <c>ReceiveActor</c>).</summary>
    /// <typeparam name="T">Command type (subtypes match).</typeparam>
    /// <param name="shouldHandle">Filter; non-matching commands fall through to later handlers.</param>
    /// <param name="handler">The handler.</param>
    protected void Command<T>(Predicate<T> shouldHandle, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(shouldHandle);
        Command(handler, shouldHandle);
    }

    /// <summary>Handles commands of type <typeparamref name="T"/>; returning <see langword="false"/> falls through to later handlers.</summary>
    /// <typeparam name="T">Command type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    protected void Command<T>(Func<T, bool> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _commands.Add(typeof(T), m => handler((T)m));
    }

    /// <summary>Handles every command (register it last).</summary>
    /// <param name="handler">The handler.</param>
    protected void CommandAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _commands.Add(typeof(object), m =>
        {
            handler(m);
            return true;
        });
    }

    /// <summary>
    /// Handles commands of type <typeparamref name="T"/> asynchronously: no further message (command or journal response)
    /// is processed until the task completes; <c>Persist</c> may be called after an <c>await</c>.
    /// </summary>
    /// <typeparam name="T">Command type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    /// <param name="shouldHandle">Optional filter.</param>
    protected void CommandAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _commands.Add(typeof(T), m =>
        {
            var t = (T)m;
            if (shouldHandle is not null && !shouldHandle(t))
            {
                return false;
            }

            ActorCell.Current!.RunTask(() => handler(t));
            return true;
        });
    }

    /// <summary>Handles recovery messages of type <typeparamref name="T"/>: snapshot offers, replayed events, <see cref="RecoveryCompleted"/>.</summary>
    /// <typeparam name="T">Message type (subtypes match).</typeparam>
    /// <param name="handler">The handler.</param>
    /// <exception cref="InvalidOperationException">Called outside the constructor.</exception>
    protected void Recover<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _recovers.Add(typeof(T), m =>
        {
            handler((T)m);
            return true;
        });
    }

    /// <summary>Handles every recovery message (register it last).</summary>
    /// <param name="handler">The handler.</param>
    /// <exception cref="InvalidOperationException">Called outside the constructor.</exception>
    protected void RecoverAny(Action<object> handler) => Recover(handler);

    /// <summary>Replaces the command behavior with the handlers registered by <paramref name="configure"/>.</summary>
    /// <param name="configure">Calls <c>Command</c>/<c>CommandAsync</c>/<c>CommandAny</c>.</param>
    protected void Become(Action configure) => Context.Become(_commands.Build(configure));

    /// <summary>Pushes the command handlers registered by <paramref name="configure"/> on the behavior stack.</summary>
    /// <param name="configure">Calls <c>Command</c>/<c>CommandAsync</c>/<c>CommandAny</c>.</param>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(_commands.Build(configure));

    /// <summary>Pops the behavior stack.</summary>
    protected static void UnbecomeStacked() => Context.UnbecomeStacked();

    internal override void OnConstructed()
    {
        _commands.Seal();
        _recovers.Seal();
    }

    private protected sealed override bool ReceiveCommand(object message) => _commands.Match(message);

    private protected sealed override bool ReceiveRecover(object message) => _recovers.Match(message);
}
